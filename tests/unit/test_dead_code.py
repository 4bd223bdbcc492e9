"""No function, method or class in the bot or the scheduler that nothing but tests would call.

A second code path that only tests use (a bare check-in write beside the atomic one, a queue
method the dispatcher never calls) makes tests pass on code people never run. The CI's
vulture run (80% confidence) cannot see them: an unused method is only 60% sure, because a
framework may call it by name. So this runs vulture at 60% over bot/ and scheduler/, with the
emulator and demo in devtools/ counting as callers, and names each method a framework calls.
"""

from __future__ import annotations

from pathlib import Path

import vulture  # type: ignore[import-untyped]  # no type information is published

ROOT = Path(__file__).resolve().parents[2]
# Called by name by a framework: python-telegram-bot (BaseUpdateProcessor, BaseRateLimiter,
# BaseRequest), uvicorn (Server.capture_signals, overridden by the ops listener),
# and the standard library's html.parser (its callbacks, in bot/texts/telegram_html.py).
CALLED_BY_A_FRAMEWORK = {
    "do_process_update",
    "initialize",
    "shutdown",
    "do_request",
    "capture_signals",
}
HTML_PARSER_CALLBACKS = {
    "handle_data",
    "handle_entityref",
    "handle_charref",
    "handle_starttag",
    "handle_startendtag",
    "handle_endtag",
    "handle_comment",
    "handle_decl",
    "handle_pi",
    "unknown_decl",
}
VALIDATORS = ["@field_validator", "@model_validator"]  # pydantic calls these
# The child-process helpers serve the bot, the tests and the benches alike (one launcher);
# the test suite adopts orphans with this one.
SHARED_WITH_TESTS = {"become_subreaper"}
KNOWN = CALLED_BY_A_FRAMEWORK | HTML_PARSER_CALLBACKS | SHARED_WITH_TESTS


def test_nothing_in_the_product_is_left_for_tests_alone() -> None:
    scan = vulture.Vulture(ignore_names=sorted(KNOWN), ignore_decorators=VALIDATORS)
    scan.scavenge([str(ROOT / package) for package in ("bot", "scheduler", "devtools")])
    unused = [
        f"{Path(item.filename).relative_to(ROOT)}:{item.first_lineno} {item.typ} {item.name}"
        for item in scan.get_unused_code(min_confidence=60)
        if item.typ not in {"variable", "attribute"}  # pydantic fields, dataclass fields
        and Path(item.filename).relative_to(ROOT).parts[0] in {"bot", "scheduler"}
    ]
    assert unused == []
