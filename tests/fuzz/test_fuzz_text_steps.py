"""Fuzzing every free-text step through the real Application (polling the Bot API emulator,
real Redis): the enrolment zone, wake and bed steps, the /settings zone, wake and bed steps and
its menu, and text with no conversation at all.

For each typed text: nothing reaches the error handler, the person always gets an answer, and
Redis holds exactly what the step's pure parser says it should (the answer accepted, or the
conversation left as it was), with no key for anyone else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from hypothesis import example, given
from hypothesis import strategies as st

from bot.chat.steps import interpret_zone
from bot.domain.country import country_of, zone_countries
from bot.domain.flows import EnrolFlow, EnrolStep, Flow, FlowKind, SettingsFlow, SettingsStep
from bot.domain.models import Profile
from bot.domain.plan import times_are_valid
from bot.domain.timeparse import parse_time
from bot.domain.zones import country_by_name
from bot.storage.store import person_keys
from tests.e2e.harness import START, USER, Harness
from tests.e2e.steps import keyspace, same_step
from tests.factories import make_profile
from tests.fuzz.budget import fuzz
from tests.fuzz.errors import error_handler_calls

NONCE = "f00d42"
UNKNOWN_TEXT = "I'm best with taps rather than typing."

# Typed text: anything a Telegram client can send (not a command), weighted towards what the
# steps look for, right-to-left scripts, emoji and very long messages.
TIMEISH = st.from_regex(r"\s?\d{1,4}([:.h]\d{1,2})?\s?([ap]\.?m\.?)?", fullmatch=True)
PLACES = st.sampled_from(
    ["London", "new york", "Kolkata", "Europe/Paris", "paris", "san jose", "York", "xyzzy", "تهران",
     "תל אביב", "東京", "São Paulo", "🇬🇧", "\u202eLondon\u202c", "<b>Rome</b>", "a & b"]
)  # fmt: skip
TEXTS = (
    st.one_of(
        st.text(min_size=1, max_size=60),
        TIMEISH,
        PLACES,
        st.text(alphabet="שלום مرحبا 😴👁️‍🗨️🌍\u200f\u200e", min_size=1, max_size=40),
        st.text(min_size=4000, max_size=10_000),
    )
    .map(lambda text: text.lstrip("/") or "x")  # commands have their own target
    .filter(lambda text: text.strip() != "")  # Telegram clients send no blank messages
)


@dataclass(frozen=True)
class Step:
    """A conversation state to type into: the flow (None: none) and whether enrolled."""

    name: str
    flow: EnrolFlow | SettingsFlow | None
    enrolled: bool = False

    @property
    def kind(self) -> FlowKind | None:
        return None if self.flow is None else self.flow.kind

    @property
    def step(self) -> str:
        return "" if self.flow is None else self.flow.step


LONDON = EnrolFlow(nonce=NONCE, zone="Europe/London")
STEPS = [
    Step("enrol zone", EnrolFlow(nonce=NONCE)),
    Step("enrol wake", LONDON.replaced(step=EnrolStep.WAKE)),
    Step("enrol bed", LONDON.replaced(step=EnrolStep.BED, wake_time=time(7))),
    Step("settings zone", SettingsFlow(nonce=NONCE, step=SettingsStep.ZONE), enrolled=True),
    Step("settings wake", SettingsFlow(nonce=NONCE, step=SettingsStep.WAKE), enrolled=True),
    Step("settings bed", SettingsFlow(nonce=NONCE, step=SettingsStep.BED), enrolled=True),
    Step("settings menu", SettingsFlow(nonce=NONCE), enrolled=True),
    Step("no conversation, enrolled", None, enrolled=True),
    Step("no conversation, a stranger", None),
    Step("enrol country", EnrolFlow(nonce=NONCE, step=EnrolStep.COUNTRY, zone="Asia/Bangkok")),
    Step("settings country", SettingsFlow(nonce=NONCE, step=SettingsStep.COUNTRY), enrolled=True),
]


async def prepare(bot: Harness, step: Step) -> tuple[Profile | None, Flow | None]:
    """An empty Redis holding only this step's state."""
    await bot.redis.flushall()
    profile = make_profile(USER) if step.enrolled else None
    if step.kind is FlowKind.ENROL:  # consent stored a profile, with nothing else yet
        profile = Profile(user_id=USER, chat_id=USER, consent_at=START)
    if profile is not None:
        profile = await bot.store.save_profile(profile, expected_version=0)
    flow = step.flow
    if flow is not None:
        await bot.store.set_flow(USER, flow)
    return profile, flow


def expected_enrol_flow(step: Step, flow: EnrolFlow, text: str) -> EnrolFlow:
    """Where enrolment should be after `text`, by the pure parsers."""
    if flow.step is EnrolStep.ZONE:
        found = interpret_zone(text)
        if found.zone is None:
            return flow
        after = EnrolStep.WAKE if found.country else EnrolStep.COUNTRY
        return flow.replaced(step=after, zone=found.zone, country=found.country)
    if flow.step is EnrolStep.COUNTRY:
        country = country_by_name(text)
        return flow if country is None else flow.replaced(step=EnrolStep.WAKE, country=country)
    parsed = parse_time(text)
    if parsed is None:
        return flow
    if flow.step is EnrolStep.WAKE:
        return flow.replaced(step=EnrolStep.BED, wake_time=parsed)
    if not times_are_valid(time(7, 0), parsed):
        return flow
    return flow.replaced(step=EnrolStep.ONSET, bedtime=parsed)


def expected_profile(step: Step, profile: Profile, text: str) -> Profile | None:
    """The person's settings after `text` at a /settings step; None if it is not accepted."""
    if step.step == "zone":
        found = interpret_zone(text)
        if found.zone is None:
            return None
        kept = profile.country if profile.country in zone_countries(found.zone) else None
        return profile.model_copy(update={"zone": found.zone, "country": found.country or kept})
    if step.step == "country":
        country = country_by_name(text)
        return None if country is None else profile.model_copy(update={"country": country})
    parsed = parse_time(text)
    if step.step not in ("wake", "bed") or parsed is None:
        return None
    field = "wake_time" if step.step == "wake" else "bedtime"
    changed = profile.model_copy(update={field: parsed})
    assert changed.wake_time is not None
    assert changed.bedtime is not None
    return changed if times_are_valid(changed.wake_time, changed.bedtime) else None


async def check_state(
    bot: Harness, step: Step, text: str, profile: Profile | None, flow: Flow | None
) -> None:
    stored_flow = await bot.store.get_flow(USER)
    stored = await bot.store.get_profile(USER)
    if isinstance(flow, EnrolFlow):
        assert stored == profile  # enrolment changes the profile only at its last tap
        assert same_step(stored_flow, expected_enrol_flow(step, flow, text))
    elif step.kind is FlowKind.SETTINGS:
        assert profile is not None
        assert stored is not None
        want = expected_profile(step, profile, text)
        if want is not None:  # saved, and the question became a fresh menu
            assert stored.model_dump(exclude={"version"}) == want.model_dump(exclude={"version"})
            assert stored_flow is not None
            uncertain = step.step == "zone" and country_of(want) is None  # asked next
            assert stored_flow.step == ("country" if uncertain else "menu")
        else:
            assert stored == profile
            assert same_step(stored_flow, flow)
    else:
        assert (stored_flow, stored) == (None, profile)
    mine = set(person_keys(USER))
    others = [k for k in await keyspace(bot) if k not in mine and not k.startswith("due:")]
    assert others == []


async def type_at(bot: Harness, step: Step, text: str) -> None:
    profile, flow = await prepare(bot, step)
    before = len(bot.messages())
    with error_handler_calls() as failures:
        await bot.send(text)
    assert failures.take() == []
    replies = bot.messages()[before:]
    assert replies, "the person got no answer"
    assert all("Traceback" not in m.text and len(m.text) <= 4096 for m in replies)
    if step.kind is None or step.step == "menu":
        assert UNKNOWN_TEXT in replies[-1].text
    await check_state(bot, step, text, profile, flow)


@fuzz(120)
@given(step=st.sampled_from(STEPS), text=TEXTS)
@example(step=STEPS[0], text="London")
@example(step=STEPS[1], text="7")
@example(step=STEPS[2], text="08:00")  # an hour after waking: too close, asked again
@example(step=STEPS[5], text="23:30")
@example(step=STEPS[3], text="x" * 10_000)
@example(step=STEPS[7], text="<i>half past</i> & <b>")
async def test_free_text_at_every_step(bot: Harness, step: Step, text: str) -> None:
    """One bot for all examples; each example starts from an empty Redis."""
    await type_at(bot, step, text)
