"""Every reply is true to the person's state: states x commands, and old buttons -> reply.

Each state is set up directly through the Store (the flows that lead there are tested in their
own files); then the real bot, polling the emulator, answers one command, or one tap on a
button it showed in an earlier state. Each expected reply is named by a distinctive phrase of
its content text, so a reply that misstates the state (say "You haven't started the plan yet"
after /stop) fails. The clock is the harness's: Friday 20 March 2026, 08:00 in London.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time

import pytest

from bot.domain.callbacks import Action, encode
from bot.domain.flows import EnrolFlow, EnrolStep
from bot.domain.models import Pause, Profile, Status
from bot.ops.app import FEATURES
from bot.views.keyboards import keyboard
from tests.e2e.harness import USER, Harness

# --- the states ---------------------------------------------------------------------------------


def _profile(**changes: object) -> Profile:
    """On the plan since Wednesday 18 March: today is day 3."""
    values: dict[str, object] = {
        "user_id": USER,
        "chat_id": USER,
        "status": Status.ACTIVE,
        "consent_at": datetime(2026, 3, 1, 9, tzinfo=UTC),
        "zone": "Europe/London",
        "wake_time": time(7),
        "bedtime": time(23),
        "onset_date": date(2026, 3, 1),
        "start_date": date(2026, 3, 18),
    }
    values.update(changes)
    return Profile.model_validate(values)


async def _save(bot: Harness, profile: Profile) -> None:
    await bot.store.save_profile(profile, expected_version=0)


async def not_enrolled(bot: Harness) -> None:
    """Nothing stored."""


async def enrolling(bot: Harness) -> None:
    await _save(bot, Profile(user_id=USER, chat_id=USER, consent_at=bot.clock.now()))
    await bot.store.set_flow(USER, EnrolFlow(step=EnrolStep.WAKE, nonce="abc123"))


async def before_day_1(bot: Harness) -> None:
    await _save(bot, _profile(start_date=date(2026, 3, 21)))


async def active(bot: Harness) -> None:
    await _save(bot, _profile())


async def paused(bot: Harness) -> None:
    pause = Pause(first_day=date(2026, 3, 20))
    await _save(bot, _profile(status=Status.PAUSED, pauses=(pause,)))


async def emergency_hold(bot: Harness) -> None:
    await _save(bot, _profile(emergency_hold=True))


async def stopped(bot: Harness) -> None:
    pause = Pause(first_day=date(2026, 3, 20))
    await _save(bot, _profile(status=Status.STOPPED, pauses=(pause,)))


async def finished(bot: Harness) -> None:
    await _save(bot, _profile(start_date=date(2026, 3, 10)))  # day 11: follow-ups only


async def deleted(bot: Harness) -> None:
    await active(bot)
    await bot.store.delete_person(USER)


# In the order a person goes through them: old buttons come from an earlier state.
STATES: dict[str, Callable[[Harness], Awaitable[None]]] = {
    "not enrolled": not_enrolled,
    "enrolling": enrolling,
    "before day 1": before_day_1,
    "active": active,
    "paused": paused,
    "emergency hold": emergency_hold,
    "stopped": stopped,
    "finished": finished,
    "deleted": deleted,
}
ORDER = list(STATES)

# --- what the person is told, by a distinctive phrase -------------------------------------------

NOT_ENROLLED = "You haven't started the plan yet"
ENROLLING = "You're still setting up your plan"
STOPPED = "The plan is stopped"
NO_DATA = "I don't have any data stored for you"
DISCLAIMER = "Hi, I'm TwitchCare"
WHERE = "Where are you?"
ALREADY = "You're already on the plan"
STOPPED_START = "Your plan is stopped. Would you like to carry on"
FINISHED_START = "You've finished the 7-day plan. Would you like to go through it again"
DAY_3 = "Day 3: plan your wind-down"
NOT_STARTED = "Your plan starts on Saturday 21 March"
FINISHED = "You've finished the 7-day plan. Keep the habits"
PAUSED_NOTE = "Your reminders are paused"
HOLD_NOTE = "Your reminders are on hold"
CHECK_IN = "Daily check-in"
LOGGED = "Logged at"
PROGRESS = "Your progress"
SUMMARY = "You've finished the 7-day plan"
PAUSED = "Reminders paused."
ALREADY_PAUSED = "Your reminders are already paused"
NOT_PAUSED = "Your reminders aren't paused"
WELCOME_BACK = "Welcome back!"
SETTINGS = "Your settings"
DELETE_ASK = "Delete all your data?"
STOP_ASK = "Stop the plan?"
HELP = "How TwitchCare works"
FAQ = "Common questions"
URGENT = "New or worrying symptoms?"
LANGUAGE = "Which language would you like me to use?"
EXPORT = "twitchcare-export.json"  # a file, not text
STALE = "This button has expired"
SLEEP_SAVED = "Thanks, noted"
EARLIER_MORNING = "That question was for an earlier morning"
SAFE_THANKS = "I'm glad you're safe"
BACK_ON = "reminders are back on"

ANYONE = {"help": HELP, "faq": FAQ, "urgent": URGENT, "language": LANGUAGE}
NO_PLAN = {
    **ANYONE,
    **dict.fromkeys(
        ("today", "checkin", "twitch", "progress", "pause", "resume", "settings", "stop"), ""
    ),
    "start": DISCLAIMER,
    "export": NO_DATA,
    "delete": NO_DATA,
}
ON_PLAN = {
    **ANYONE,
    "start": ALREADY,
    "today": DAY_3,
    "checkin": CHECK_IN,
    "twitch": LOGGED,
    "progress": PROGRESS,
    "pause": PAUSED,
    "resume": NOT_PAUSED,
    "settings": SETTINGS,
    "export": EXPORT,
    "delete": DELETE_ASK,
    "stop": STOP_ASK,
}


def _no_plan(refusal: str, **changes: str) -> dict[str, str]:
    return {k: v or refusal for k, v in NO_PLAN.items()} | changes


COMMAND_REPLIES: dict[str, dict[str, str]] = {
    "not enrolled": _no_plan(NOT_ENROLLED),
    "enrolling": _no_plan(ENROLLING, start=WHERE, export=EXPORT, delete=DELETE_ASK),
    # A check-in the day before day 1 is kept as the baseline (day 0).
    "before day 1": ON_PLAN | {"today": NOT_STARTED},
    "active": ON_PLAN,
    "paused": ON_PLAN | {"today": PAUSED_NOTE, "pause": ALREADY_PAUSED, "resume": WELCOME_BACK},
    "emergency hold": ON_PLAN | {"today": HOLD_NOTE, "resume": HOLD_NOTE},
    "stopped": _no_plan(
        STOPPED, start=STOPPED_START, progress=PROGRESS, export=EXPORT, delete=DELETE_ASK
    ),
    "finished": ON_PLAN | {"start": FINISHED_START, "today": FINISHED, "progress": SUMMARY},
    "deleted": _no_plan(NOT_ENROLLED),
}
COMMANDS = list(ON_PLAN)


def test_the_table_covers_every_state_and_every_command_in_the_menu() -> None:
    registered = {name for feature in FEATURES for name in feature.commands}
    menu = registered - {"stats"}  # the operator's command is not in the people's menu
    assert set(COMMANDS) == menu
    assert all(set(replies) == menu for replies in COMMAND_REPLIES.values())
    assert set(COMMAND_REPLIES) == set(STATES)


def _seen(bot: Harness, before: int) -> str:
    """Everything the person sees after message `before`: new texts and file names."""
    new = bot.messages()[before:]
    names = [m.document.filename or "" for m in new if m.document is not None]
    return "\n".join([m.text for m in new] + names)


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("state", ORDER)
async def test_each_command_answers_true_to_the_state(
    bot: Harness, state: str, command: str
) -> None:
    await STATES[state](bot)
    before = len(bot.messages())
    await bot.send(f"/{command}")
    assert COMMAND_REPLIES[state][command] in _seen(bot, before)


# --- old buttons ---------------------------------------------------------------------------------

# A button the bot showed in a state: (that state, its callback data).
OLD_BUTTONS: dict[str, tuple[str, str]] = {
    "consent": ("not enrolled", encode(Action.CONSENT, "yes")),
    "wake time": ("enrolling", encode(Action.ENROL_TIME, "abc123", "0730")),
    "yes, stop": ("before day 1", encode(Action.STOP, "yes")),
    "check in now": ("active", encode(Action.CHECKIN_NOW)),
    "snooze": ("active", encode(Action.SNOOZE, "evening", "20260319", "30")),  # last night's nudge
    "slept": ("active", encode(Action.SLEEP, "20260320", "7_8")),  # this morning's question
    "i'm safe now": ("emergency hold", encode(Action.SAFE)),
    "carry on": ("stopped", encode(Action.CARRY_ON)),
}
# What a tap on it says in each later state; STALE answers change nothing at all.
TAP_REPLIES: dict[str, dict[str, str]] = {
    "consent": {
        "enrolling": WHERE,  # setting up again from the start
        "before day 1": STALE,
        "active": STALE,
        "paused": STALE,
        "emergency hold": STALE,
        "stopped": STALE,
        "finished": STALE,
        "deleted": WHERE,  # a fresh consent after deleting everything
    },
    "wake time": dict.fromkeys(ORDER[2:], STALE),
    "yes, stop": {
        "active": STOPPED,
        "paused": STOPPED,
        "emergency hold": STOPPED,
        "stopped": STOPPED,
        "finished": STOPPED,
        "deleted": NOT_ENROLLED,
    },
    "check in now": {
        "paused": CHECK_IN,
        "emergency hold": CHECK_IN,
        "stopped": STOPPED,
        "finished": CHECK_IN,
        "deleted": NOT_ENROLLED,
    },
    "snooze": dict.fromkeys(ORDER[4:], STALE),
    "slept": {
        "paused": SLEEP_SAVED,
        "emergency hold": SLEEP_SAVED,
        "stopped": STALE,
        "finished": EARLIER_MORNING,  # the plan is over: that morning is long past
        "deleted": STALE,
    },
    "i'm safe now": {"stopped": SAFE_THANKS, "finished": BACK_ON, "deleted": SAFE_THANKS},
    "carry on": {"finished": FINISHED, "deleted": NOT_ENROLLED},
}
TAPS = [(name, state) for name, replies in TAP_REPLIES.items() for state in replies]


def test_every_old_button_is_tapped_in_every_later_state() -> None:
    for name, (shown_in, _) in OLD_BUTTONS.items():
        assert set(TAP_REPLIES[name]) == set(ORDER[ORDER.index(shown_in) + 1 :]), name


@pytest.mark.parametrize(("name", "state"), TAPS)
async def test_an_old_button_answers_true_to_the_state(bot: Harness, name: str, state: str) -> None:
    _, data = OLD_BUTTONS[name]
    shown = keyboard([[("old", data)]])
    old = await bot.app.bot.send_message(USER, "An earlier message", reply_markup=shown)
    await STATES[state](bot)
    before = len(bot.messages())
    await bot.tap(data, message_id=old.message_id)

    tapped = next(m for m in bot.messages() if m.message_id == old.message_id)
    expected = TAP_REPLIES[name][state]
    if expected == STALE:
        assert STALE in (bot.last_answer() or "")
        assert (tapped.edited, len(bot.messages())) == (False, before)
        return
    seen = "\n".join([bot.last_answer() or "", tapped.text, _seen(bot, before)])
    assert expected in seen
    if expected == SAFE_THANKS:
        assert BACK_ON not in seen
