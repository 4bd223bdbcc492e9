"""`twitchcare demo` typed into like a person would: wrong numbers at the wrong time included.

Each test runs the real demo process and reads its screen. After every awkward line the demo
must still be running and answering; nothing it prints may be a traceback.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.demo_driver import DemoDriver

# 05:20 in London on a Friday before the clocks change: day 1 starts today.
START = "2026-03-20T05:20:00+00:00"
BOT = r"(🤖|✏️|💬)"
WAKE_TIME = "⏩ Friday 20 March, 07:00"
HELP = "How TwitchCare works"
KEYBOARD = r"⌨️  Under the message box:\n   \[\d+\] ⚡ Twitching now\n\n› $"
COMMANDS = [
    "/start", "/today", "/checkin", "/progress", "/pause", "/resume", "/settings", "/stop",
    "/export", "/help", "/faq", "/urgent", "/delete",
]  # fmt: skip


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[DemoDriver]:
    with DemoDriver(tmp_path / "data", START) as driver:
        driver.expect("Happy to go ahead")
        yield driver


def enrol(demo: DemoDriver) -> str:
    """Enrol at 05:20: day 1 is today, so its morning message (the step with the sleep question
    under it) comes at once; what the last line showed."""
    demo.say(demo.number("I understand"), "Where are you")
    demo.say("london", "wake up")
    demo.say(demo.number("07:00"), "go to bed")
    demo.say(demo.number("23:00"), "twitching start")
    return demo.say(demo.number("Yesterday"), "You're all set(.|\n)*how did you sleep")


def still_answering(demo: DemoDriver) -> None:
    """The demo is alive and the bot behind it still answers a command."""
    demo.say("/help", HELP)
    assert demo.process.poll() is None
    assert "Traceback" not in demo.screen


def test_a_number_after_its_keyboard_is_gone_is_answered(demo: DemoDriver) -> None:
    enrol(demo)
    demo.say(demo.number("6 to 7 hours"), "Slept: 6 to 7 hours")

    answer = demo.say("1", BOT)

    assert "Sorry, that didn't work" not in answer
    still_answering(demo)
    assert demo.close() == 0


def test_why_this_helps_is_still_reachable_after_the_sleep_question(demo: DemoDriver) -> None:
    morning = enrol(demo)
    assert "Why this helps" in morning

    why = demo.number("Why this helps")
    demo.say(demo.number("6 to 7 hours"), "Slept: 6 to 7 hours")
    shown = demo.say(why, "💡")

    assert re.search(r"🤖 💡 .*Why this helps", shown)
    still_answering(demo)


def test_a_number_after_im_safe_now_is_answered(demo: DemoDriver) -> None:
    enrol(demo)
    demo.say("/urgent", "New or worrying symptoms")
    demo.say(demo.number("I have one of these signs"), "safe now")
    demo.say(demo.number("I'm safe now"), "glad you're safe")

    first = demo.say("1", BOT)
    again = demo.say("1", BOT)

    assert "Sorry, that didn't work" not in first + again
    still_answering(demo)
    assert demo.close() == 0


def test_the_twitching_button_shows_under_the_message_box_and_logs_by_number_or_words(
    demo: DemoDriver,
) -> None:
    enrol(demo)
    # Last before the prompt, as Telegram shows it under the input field.
    assert re.search(KEYBOARD, demo.since_typed)  # the answer to the last enrolment tap

    logged = demo.tap("⚡ Twitching now", "What came just before")
    assert "👤 ⚡ Twitching now" in logged
    assert re.search(r"🤖 ⚡ Logged at 05:2\d\.", logged)
    edited = demo.tap("📱 Screens", "Just before: screens")
    assert "✏️ (updated: “⚡ Logged at 05:2" in edited
    assert "💬 Logged ⚡" in edited
    assert re.search(KEYBOARD, edited)  # still there after an edit

    by_words = demo.say("twitching now", "What came just before")  # the label, without the emoji
    assert "👤 ⚡ Twitching now" in by_words
    hint = demo.say("twitching", "Twitching right now")  # not the label: the bot says where it is
    assert "Tap ⚡ Twitching now under the message box" in hint
    still_answering(demo)
    assert demo.close() == 0


def test_snoozing_the_wind_down_says_when(demo: DemoDriver) -> None:
    enrol(demo)
    demo.say(">>", WAKE_TIME)  # day 1's morning message came at enrolment: nothing new
    demo.say(">>", "Remind me in 30 min")

    answer = demo.say(demo.number("Remind me in 30 min"), "remind you again")

    assert "💬 👍 I'll remind you again at 22:30" in answer


def test_the_simulated_clock_carries_on_after_a_restart(tmp_path: Path) -> None:
    with DemoDriver(tmp_path / "data", START) as first:
        assert "A new simulated week starts now: Friday 20 March, 05:20" in first.expect("week")
        enrol(first)
        first.say(">>", WAKE_TIME)
        assert first.close() == 0

    with DemoDriver(tmp_path / "data", START) as again:
        resumed = again.expect(r"Carrying on from where you left: .*\n")
        assert "Friday 20 March, 07:0" in resumed
        again.expect("already on the plan")

    with DemoDriver(tmp_path / "data", START, "--reset") as fresh:
        assert "A new simulated week starts now: Friday 20 March, 05:20" in fresh.expect("week")


def random_line(rng: random.Random) -> str:
    kind = rng.choice(["number", "number", "skip", "command", "empty", "unicode", "place", "text"])
    if kind == "number":
        return str(rng.randint(0, 30))
    if kind == "skip":
        return ">>"
    if kind == "command":
        return rng.choice(COMMANDS)
    if kind == "empty":
        return rng.choice(["", "   ", "\t"])
    if kind == "unicode":
        return "".join(chr(rng.randint(0x20, 0x2FFF)) for _ in range(rng.randint(1, 40)))
    if kind == "place":
        return f"@{rng.uniform(-95, 95):.2f},{rng.uniform(-190, 190):.2f}"
    return rng.choice(["london", "7", "23:00", "yes", "ok", "help", "25:99", "x" * 5000])


@pytest.mark.timeout(600)
@pytest.mark.parametrize("seed", [2026])
def test_two_hundred_random_lines_never_stop_the_demo(demo: DemoDriver, seed: int) -> None:
    rng = random.Random(seed)
    lines = [random_line(rng) for _ in range(200)]

    for line in lines:  # as a person would: type, read the answer, type again
        demo.say(line, "")
    still_answering(demo)

    assert demo.close() == 0
    assert "Sorry, that didn't work" not in demo.screen
    assert "Bye!" in demo.screen
