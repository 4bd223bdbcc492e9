"""The `twitchcare` command line: run the bot, run the demo, check content."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

from telegram import Update

from bot.app import build_application
from bot.clock import clock_for
from bot.config import Settings, SettingsError, load_settings
from bot.content import ContentError
from bot.demo import run_demo
from bot.embedded_redis import EmbeddedRedisError
from bot.logs import configure_logging
from content import CONTENT_ROOT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="twitchcare", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("check-content", help="validate a content folder")
    check.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=CONTENT_ROOT / "en",
        help="a locale folder such as content/en (default: the shipped English content)",
    )
    demo = commands.add_parser("demo", help="try the whole bot in this terminal, no token needed")
    demo.add_argument(
        "--speed",
        type=float,
        default=None,
        help="run the clock N times faster (1440: a day a minute)",
    )
    demo.add_argument("--reset", action="store_true", help="forget the demo person and start again")
    commands.add_parser("run", help="run the bot (polling) with TWITCHCARE_BOT_TOKEN")
    return parser


def check_content(path: Path) -> int:
    """Print every problem in a content folder; exit non-zero if there are any."""
    from bot.content import content_problems

    if not path.is_dir():
        print(f"{path}: no such content folder", file=sys.stderr)
        return 1
    problems = content_problems(path)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) in {path}", file=sys.stderr)
        return 1
    print(f"{path}: content is valid")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    args = _parser().parse_args(argv)
    if args.command == "check-content":
        return check_content(args.path)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(settings)
    if args.command == "demo":
        speed = args.speed if args.speed is not None else settings.clock_speed
        return _run_async(run_demo(settings, speed=speed, reset=args.reset))
    return run_bot(settings)


def run_bot(settings: Settings) -> int:
    """Poll Telegram until interrupted; without a token, point at the demo instead."""
    if settings.bot_token is None:
        print(
            "TWITCHCARE_BOT_TOKEN is not set. Get one from @BotFather (see README), "
            "or try the bot locally with: twitchcare demo",
            file=sys.stderr,
        )
        return 2
    app = build_application(settings, clock=clock_for(settings.clock_start, settings.clock_speed))
    app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def _run_async(job: Coroutine[Any, Any, None]) -> int:
    try:
        asyncio.run(job)
    except KeyboardInterrupt:
        return 130
    except (EmbeddedRedisError, ContentError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
