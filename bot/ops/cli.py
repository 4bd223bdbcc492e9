"""The `twitchcare` command line: run the bot, run the demo, check content."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import urllib.error
import urllib.request
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import Any

from telegram import Update

from bot.core.config import DEFAULT_LOCALE, Settings, SettingsError, load_settings
from bot.domain.clock import Clock, SavedClock, clock_for
from bot.ops.app import build_application
from bot.ops.logs import configure_logging
from bot.ops.polling_web import serve_polling
from bot.ops.webhook import serve
from bot.storage.redis_server import RedisServerError
from bot.texts.content import ContentError
from content import CONTENT_ROOT

log = logging.getLogger(__name__)
# Where a fast or shifted clock keeps its position, in the data dir.
CLOCK_FILE = "clock.json"
DEMO_MISSING = (
    "the demo comes with the development tools, which this installation does not have. "
    "From a clone of the repository: pip install -e '.[demo]' && twitchcare demo"
)
# Start-up failures the operator can fix, answered with one line instead of a traceback.
STARTUP_ERRORS = (RedisServerError, ContentError)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="twitchcare", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check-content", help="validate every locale, and its parity with the default one"
    )
    check.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=CONTENT_ROOT,
        help="a content folder with one folder per locale, or one locale folder such as "
        "content/de (default: the shipped content)",
    )
    check.add_argument(
        "--default",
        default=DEFAULT_LOCALE,
        metavar="LOCALE",
        help=f"the locale the others must match (default: {DEFAULT_LOCALE})",
    )
    demo = commands.add_parser("demo", help="try the whole bot in this terminal, no token needed")
    demo.add_argument(
        "--speed",
        type=float,
        default=None,
        help="run the clock N times faster (1440: a day a minute)",
    )
    demo.add_argument("--reset", action="store_true", help="forget the demo person and start again")
    run = commands.add_parser("run", help="run the bot with TWITCHCARE_BOT_TOKEN (polling)")
    run.add_argument(
        "--webhook",
        nargs="?",
        const="",
        default=None,
        metavar="URL",
        help="webhook mode: register this public HTTPS URL (default TWITCHCARE_WEBHOOK_URL) "
        "and serve it on TWITCHCARE_WEBHOOK_LISTEN:_PORT (/healthz and /metrics on "
        "TWITCHCARE_OPS_LISTEN:_PORT)",
    )
    commands.add_parser("health", help="ask the local ops listener's /healthz (exit 0 if OK)")
    return parser


def check_content(path: Path, default: str = DEFAULT_LOCALE) -> int:
    """Print every problem in a content root (every locale) or in one locale folder (with its
    parity to the default locale beside it); exit non-zero if there are any."""
    from bot.texts.content import catalog_problems, locale_folders, locale_problems

    if not path.is_dir():
        print(f"{path}: no such content folder", file=sys.stderr)
        return 1
    if locale_folders(path):
        problems = catalog_problems(path, default)
    else:
        problems = locale_problems(path, default)
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
        return check_content(args.path, args.default)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.command == "demo":
        configure_logging(settings)
        speed = args.speed if args.speed is not None else settings.clock_speed
        return run_demo(settings, speed=speed, reset=args.reset)
    if args.command == "health":
        configure_logging(settings)
        return check_health(settings.ops_port)
    clock = process_clock(settings)
    configure_logging(settings, clock=clock)
    if isinstance(clock, SavedClock) and clock.resumed:
        log.info(
            "the bot's clock carries on from %s, where it was left (%s); "
            "TWITCHCARE_CLOCK_RESUME=false starts it from TWITCHCARE_CLOCK_START instead",
            clock.now().isoformat(timespec="seconds"),
            clock.path,
        )
    return run_bot(settings, webhook=args.webhook, clock=clock)


def process_clock(settings: Settings) -> Clock:
    """Real time, or a fast or shifted clock that a restart resumes from the data dir."""
    return clock_for(
        settings.clock_start,
        settings.clock_speed,
        settings.data_dir / CLOCK_FILE,
        resume=settings.clock_resume,
    )


def run_bot(settings: Settings, webhook: str | None = None, clock: Clock | None = None) -> int:
    """Poll Telegram (or serve a webhook) until stopped; without a token, point at the demo."""
    if settings.bot_token is None:
        print(
            "TWITCHCARE_BOT_TOKEN is not set. Get one from @BotFather (see README), "
            "or try the bot locally with: twitchcare demo",
            file=sys.stderr,
        )
        return 2
    clock = clock or process_clock(settings)
    if webhook is not None:
        return run_webhook(settings, webhook, clock)
    if settings.tick_seconds == 0:
        # A polling bot is the only process: with no ticks nobody would ever be nudged.
        print("TWITCHCARE_TICK_SECONDS: 0 sends no nudges; polling needs ticks", file=sys.stderr)
        return 2
    app = build_application(settings, clock=clock)
    if settings.webapp_url is not None:
        return _serving(serve_polling(app, settings))
    try:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    except STARTUP_ERRORS as exc:
        print(f"twitchcare could not start: {exc}", file=sys.stderr)
        return 1
    return 0


def run_webhook(settings: Settings, url: str, clock: Clock) -> int:
    """Register the webhook and serve it until SIGTERM, then shut down gracefully."""
    url = url or (str(settings.webhook_url) if settings.webhook_url else "")
    if not url.startswith(("https://", "http://")):
        print("--webhook needs a URL (or set TWITCHCARE_WEBHOOK_URL)", file=sys.stderr)
        return 2
    if settings.webhook_secret is None:
        print(
            "webhook mode needs TWITCHCARE_WEBHOOK_SECRET (1-256 of A-Z a-z 0-9 _ -), "
            "the same on every replica",
            file=sys.stderr,
        )
        return 2
    return _serving(serve(build_application(settings, clock=clock), settings, url=url))


def _serving(server: Coroutine[Any, Any, bool]) -> int:
    """Run a uvicorn-owned bot (webhook, or polling with the Mini App) until it stops."""
    try:
        started = asyncio.run(server)
    except KeyboardInterrupt:
        return 130
    except STARTUP_ERRORS as exc:
        print(f"twitchcare could not start: {exc}", file=sys.stderr)
        return 1
    # uvicorn has logged why start-up failed (Redis, content, setWebhook...).
    return 0 if started else 1


def check_health(port: int) -> int:
    """GET http://127.0.0.1:<ops port>/healthz: the Docker HEALTHCHECK (no curl in the image)."""
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            print(response.read().decode("utf-8", "replace"))
            return 0
    except urllib.error.HTTPError as exc:
        print(exc.read().decode("utf-8", "replace"), file=sys.stderr)
    except OSError as exc:
        print(f"{url}: {exc}", file=sys.stderr)
    return 1


def run_demo(settings: Settings, *, speed: float, reset: bool) -> int:
    """The terminal demo, from the development tools (installed with a clone's `demo` extra)."""
    try:
        from devtools.demo import run_demo as demo  # only this command needs it
    except ImportError:
        print(DEMO_MISSING, file=sys.stderr)
        return 2
    return _run_async(demo(settings, speed=speed, reset=reset))


def _run_async(job: Coroutine[Any, Any, None]) -> int:
    try:
        asyncio.run(job)
    except KeyboardInterrupt:
        return 130
    except STARTUP_ERRORS as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
