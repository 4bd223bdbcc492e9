"""The `twitchcare` command line: run the bot, run the demo, check content."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

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
    return 2  # pragma: no cover - argparse rejects unknown commands first


if __name__ == "__main__":
    sys.exit(main())
