"""Conversations stored before flows were typed: each loads and carries on, or expires cleanly.

`data/old_flows.json` holds what the untyped Flow model wrote to `u:{id}:flow` at each step of
real conversations. For each, the bot shows that step's question as it did then, the stored
flow is replaced by the old document, and the person answers: the bot must carry on from the
old answers (or, for a kind that no longer exists, treat the buttons as expired), and never
reach the error handler.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.chat.escalation import SIGNS_DONE
from bot.domain.callbacks import Action
from bot.domain.flows import (
    FLOWS,
    CheckinFlow,
    CheckinStep,
    EnrolFlow,
    EnrolStep,
    Flow,
    SettingsStep,
)
from bot.domain.models import Profile, Status
from bot.storage.store import person_key
from bot.texts.content_models import Question
from bot.views.keyboards import button, keyboard
from devtools.emulator.htmltext import parse_html
from tests.e2e.harness import USER, Harness
from tests.e2e.steps import enrol
from tests.fuzz.errors import error_handler_calls

OLD_FLOWS = json.loads((Path(__file__).parent / "data" / "old_flows.json").read_text())["flows"]
STALE = "This button has expired. Please use the latest message."
ANSWER = "✍️"  # the label of the one button the test shows


@dataclass(frozen=True)
class Reply:
    """What the person does at a step: type `text`, or tap a button with `action` and `args`
    after the flow's nonce."""

    text: str | None = None
    action: Action | None = None
    args: tuple[str, ...] = ()


def reply_to(bot: Harness, old: dict[str, Any]) -> Reply:
    kind, step = old["kind"], old["step"]
    if kind == "checkin":
        if step == CheckinStep.SIGNS:
            return Reply(action=Action.CHECKIN_SIGN, args=(SIGNS_DONE,))
        question = bot.app.bot_data.services.content.checkin.step(CheckinStep(step))
        assert isinstance(question, Question)
        return Reply(action=Action.CHECKIN_ANSWER, args=(step, question.answers[0].id))
    replies = {
        ("enrol", "zone"): Reply(text="london"),
        ("enrol", "country"): Reply(action=Action.ENROL_COUNTRY, args=("TH",)),
        ("enrol", "wake"): Reply(action=Action.ENROL_TIME, args=("0630",)),
        ("enrol", "bed"): Reply(text="23:30"),
        ("enrol", "onset"): Reply(action=Action.ENROL_ONSET, args=("yday",)),
        ("settings", "menu"): Reply(action=Action.SETTINGS_MENU, args=("bed",)),
        ("settings", "zone"): Reply(text="paris"),
        ("settings", "country"): Reply(action=Action.SETTINGS_COUNTRY, args=("GB",)),
        ("settings", "wake"): Reply(action=Action.SETTINGS_TIME, args=("0630",)),
        ("settings", "bed"): Reply(text="22:30"),
    }
    return replies.get((kind, step), Reply(action=Action.CHECKIN_SIGN, args=(SIGNS_DONE,)))


async def the_person_at(bot: Harness, kind: str) -> None:
    """Enrolled for a check-in or /settings; only consented while enrolling."""
    if kind == "enrol":
        profile = Profile(user_id=USER, chat_id=USER, consent_at=bot.clock.now())
        await bot.store.save_profile(profile, expected_version=0)
    else:
        await enrol(bot)


async def answer_old(bot: Harness, old: dict[str, Any]) -> None:
    """The step's question on screen, the old document stored, and the person's reply."""
    reply = reply_to(bot, old)
    markup = None
    if reply.action is not None:
        markup = keyboard([[button(ANSWER, reply.action, old["nonce"], *reply.args)]])
    shown = await bot.app.bot.send_message(USER, "The question, as shown then", reply_markup=markup)
    stored = {**old, "message_id": shown.message_id}
    await bot.redis.set(person_key(USER, "flow"), json.dumps(stored))
    if reply.text is not None:
        await bot.send(reply.text)
    else:
        await bot.tap(ANSWER, message_id=shown.message_id)


def old_answers(old: dict[str, Any]) -> dict[str, Any]:
    """The old document's answers, named and typed as the new models keep them."""
    flow: Flow = FLOWS.validate_python(old)
    if isinstance(flow, EnrolFlow):
        return flow.model_dump(
            include={"zone", "country", "wake_time", "bedtime"}, exclude_none=True
        )
    if isinstance(flow, CheckinFlow):
        return flow.answers.model_dump(exclude_none=True) | dict.fromkeys(flow.signs, True)
    return {}


async def kept(bot: Harness, old: dict[str, Any]) -> dict[str, Any]:
    """Where the old answers should be now: the flow in progress, or what it was saved as."""
    flow = await bot.store.get_flow(USER)
    if isinstance(flow, CheckinFlow):
        return flow.answers.model_dump() | dict.fromkeys(flow.signs, True)
    if old["kind"] == "checkin":
        [record] = await bot.store.list_checkins(USER)
        return record.checkin.model_dump()
    if flow is not None:
        return flow.model_dump()
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    return profile.model_dump()


CASES = [pytest.param(entry["json"], id=entry["name"]) for entry in OLD_FLOWS]


def test_the_old_flows_cover_every_kind_and_step() -> None:
    seen = {(entry["json"]["kind"], entry["json"]["step"]) for entry in OLD_FLOWS}
    assert {kind for kind, _ in seen} == {"enrol", "checkin", "settings", "urgent"}
    assert {step for kind, step in seen if kind == "checkin"} == set(CheckinStep)
    assert {step for kind, step in seen if kind == "enrol"} == set(EnrolStep)
    assert {step for kind, step in seen if kind == "settings"} == set(SettingsStep)


@pytest.mark.parametrize("old", CASES)
async def test_a_reply_to_an_old_flow_carries_on_or_expires(
    bot: Harness, old: dict[str, Any]
) -> None:
    await the_person_at(bot, old["kind"])
    loads = old["kind"] != "urgent"
    with error_handler_calls() as failures:
        await answer_old(bot, old)
    assert failures.take() == []
    if not loads:  # no such conversation any more: its buttons have expired
        assert bot.last_answer() == STALE
        assert await bot.store.get_flow(USER) is None
        return
    assert bot.last_answer() != STALE
    ui = bot.app.bot_data.services.content.ui
    fallbacks = {parse_html(text).text for text in (ui.unknown_text, ui.unknown_text_no_plan)}
    assert bot.last().text not in fallbacks  # the reply went to the conversation
    after = await bot.store.get_flow(USER)
    assert after is None or after.step != old["step"] or after.nonce != old["nonce"]
    now = await kept(bot, old)
    assert {key: now[key] for key in old_answers(old)} == old_answers(old)
    if after is None and old["kind"] == "enrol":
        profile = await bot.store.get_profile(USER)
        assert profile is not None
        assert profile.status is Status.ACTIVE
