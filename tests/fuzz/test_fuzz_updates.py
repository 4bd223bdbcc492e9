"""Arbitrary Telegram updates pushed through the real Application.

Each example is one update as Telegram could send it (raw JSON put in the emulator's getUpdates
queue, so PTB parses it exactly as in production): messages, edited messages, channel posts and
callback queries, in private chats, groups, supergroups, channels and chat types Telegram may
add later; with or without `from`; text (commands, right-to-left, emoji, up to 10,000
characters, odd entities), stickers, photos, locations, contacts or nothing at all; callback
data that is random, a forged payload for a real action, or too long.

For each: nothing reaches the error handler; a new message in a private chat always gets an
answer, one in a group the short refusal, and edits and channel posts none; every tap is
answered; and Redis changes only under the keys of the person who sent it, in a private chat.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from hypothesis import event, example, given
from hypothesis import strategies as st

from bot.ops.app import FEATURES
from bot.storage.store import person_keys
from devtools.emulator.core import PendingQuery
from devtools.emulator.serialize import unix
from tests.e2e.harness import USER, Harness
from tests.factories import make_profile
from tests.fuzz.budget import fuzz
from tests.fuzz.errors import error_handler_calls

STRANGER = 9_001  # no data at all
ENROLLED = USER  # an active person with a plan
PEOPLE = (STRANGER, ENROLLED)
GROUP, SUPERGROUP, CHANNEL = -100_111, -100_222, -100_333
NOTHING_STORED = "Nothing from this group has been stored."
ACTIONS = sorted({action for feature in FEATURES for action in feature.callbacks})
COMMANDS = sorted({name for feature in FEATURES for name in feature.commands}) + ["frobnicate"]
_query_ids = itertools.count(7_000_000_000_000_000_001)

TOKEN = st.text(alphabet="abcdef0123456789ABCxyz_.+-", min_size=1, max_size=12)
TEXT = st.one_of(
    st.text(min_size=1, max_size=80),
    st.text(alphabet="שלום مرحبا بالعالم 😴👁️‍🗨️🌍🇬🇧\u200f\u202e", min_size=1, max_size=40),
    st.text(min_size=4096, max_size=10_000),
    st.builds(
        lambda name, bot, args: f"/{name}{'@twitchcare_bot' if bot else ''}{args}",
        st.sampled_from(COMMANDS),
        st.booleans(),
        st.sampled_from(["", " ", " now", " 😴" * 3, " " + "x" * 300]),
    ),
)
CALLBACK_DATA = st.one_of(
    st.text(max_size=70),
    st.builds(
        lambda action, args: ":".join(["1", action, *args]),
        st.sampled_from(ACTIONS),
        st.lists(TOKEN, max_size=4),
    ),
    st.text(min_size=65, max_size=300),
)
# Weighted towards private chats, where the bot does its work.
CHAT_KINDS = st.sampled_from(["private"] * 5 + ["group", "supergroup", "channel", "future_kind"])
KINDS = st.sampled_from(
    ["message"] * 5
    + ["callback_query"] * 3
    + ["edited_message", "channel_post", "edited_channel_post"]
)


@dataclass(frozen=True)
class Case:
    """What was pushed, and what should follow from it."""

    kind: str
    chat_type: str
    chat_id: int
    sender: int | None

    @property
    def personal(self) -> bool:
        """A person acting in their own private chat: the only updates that may store data."""
        return (
            self.chat_type == "private"
            and self.sender is not None
            and self.kind in ("message", "callback_query")
        )


def chat_for(chat_type: str, owner: int) -> dict[str, Any]:
    if chat_type == "private":
        return {"id": owner, "type": "private", "first_name": "Ada"}
    chat_id = {"group": GROUP, "supergroup": SUPERGROUP}.get(chat_type, CHANNEL)
    return {"id": chat_id, "type": chat_type, "title": "Twitchy ✨ friends"}


@st.composite
def users(draw: st.DrawFn, user_id: int) -> dict[str, Any]:
    user: dict[str, Any] = {
        "id": user_id,
        "is_bot": draw(st.booleans()) if draw(st.integers(0, 9)) == 0 else False,
        "first_name": draw(st.text(min_size=1, max_size=64)),
    }
    if draw(st.booleans()):
        user["language_code"] = draw(st.sampled_from(["en", "ar", "he", "zz", ""]))
    if draw(st.booleans()):
        user["last_name"] = draw(st.text(max_size=64))
    return user


@st.composite
def contents(draw: st.DrawFn) -> dict[str, Any]:
    """What a message carries."""
    choice = draw(st.integers(0, 8))
    if choice <= 3:
        text = draw(TEXT)
        body: dict[str, Any] = {"text": text}
        entities = []
        if text.startswith("/"):
            entities.append({"type": "bot_command", "offset": 0, "length": len(text.split()[0])})
        if draw(st.booleans()):  # odd entities, even past the end of the text
            entities.append(
                {
                    "type": draw(st.sampled_from(["bold", "url", "mention", "spoiler"])),
                    "offset": draw(st.integers(0, 50)),
                    "length": draw(st.integers(1, 50)),
                }
            )
        if entities:
            body["entities"] = entities
        return body
    if choice == 4:
        return {
            "sticker": {
                "file_id": "CAACsticker",
                "file_unique_id": "AgADsticker",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "😴",
            }
        }
    if choice == 5:
        return {
            "location": {
                "latitude": draw(st.floats(-90, 90)),
                "longitude": draw(st.floats(-180, 180)),
            }
        }
    if choice == 6:
        return {"photo": [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]}
    if choice == 7:
        return {"contact": {"phone_number": "+441234567890", "first_name": "Someone"}}
    return {}  # a service message with nothing we read (e.g. a pinned message notice)


@st.composite
def updates(draw: st.DrawFn) -> tuple[str, dict[str, Any], Case]:
    kind = draw(KINDS)
    owner = draw(st.sampled_from(PEOPLE))
    chat_type = draw(CHAT_KINDS)
    chat = chat_for(chat_type, owner)
    sender = None if draw(st.integers(0, 5)) == 0 else owner
    if kind == "callback_query":
        tapper = draw(st.sampled_from(PEOPLE)) if draw(st.booleans()) else owner
        payload: dict[str, Any] = {
            "id": "",  # set when pushed
            "from": draw(users(tapper)),
            "chat_instance": str(chat["id"]),
            "data": draw(CALLBACK_DATA),
            "message": {"message_id": 1, "date": 0 if draw(st.booleans()) else 1, "chat": chat},
        }
        return kind, payload, Case(kind, chat_type, chat["id"], tapper)
    message: dict[str, Any] = {"message_id": draw(st.integers(1, 10**6)), "date": 1, "chat": chat}
    if sender is not None:
        message["from"] = draw(users(sender))
    if kind.startswith("edited"):
        message["edit_date"] = 2
    message.update(draw(contents()))
    return kind, message, Case(kind, chat_type, chat["id"], sender)


async def snapshot(bot: Harness) -> dict[bytes, bytes | None]:
    """Every key and a serialised copy of its value."""
    return {key: await bot.redis.dump(key) async for key in bot.redis.scan_iter(count=1000)}


async def reset(bot: Harness) -> None:
    await bot.redis.flushall()
    await bot.store.save_profile(make_profile(ENROLLED), expected_version=0)


async def push(bot: Harness, kind: str, payload: dict[str, Any], case: Case) -> str | None:
    """Put the update in the getUpdates queue and wait until the bot has handled it."""
    core = bot.emu._core  # raw updates have no public API: the shapes here are Telegram's
    query_id = None
    if kind == "callback_query":
        query_id = str(next(_query_ids))
        core.queries[query_id] = PendingQuery(query_id, case.sender or 0, case.chat_id)
        payload = {**payload, "id": query_id}
        shown = core.store.visible(case.chat_id)
        if payload["message"]["date"] and shown:  # a real message of that chat
            payload["message"] = core.message_json(shown[-1])
    else:
        payload = {**payload, "date": unix(core.clock.now())}
    await bot.settle(await core.updates.push(kind, payload))
    return query_id


def check_answer(bot: Harness, case: Case, before: int, query_id: str | None) -> None:
    answerable = case.chat_type in ("private", "group", "supergroup")
    replies = bot.emu.bot_messages(case.chat_id)[before:] if answerable else []
    if case.kind == "callback_query":
        answered = [a for a in bot.emu.callback_answers if a.query_id == query_id]
        assert len(answered) == 1, "every tap gets exactly one answer"
    elif case.kind == "message" and case.chat_type == "private" and case.sender is not None:
        assert replies, "a person writing in private always gets an answer"
    elif case.kind == "message" and case.chat_type in ("group", "supergroup"):
        # The short refusal, or for /urgent the warning signs; either way nothing stored.
        assert all(NOTHING_STORED in m.text and m.buttons == () for m in replies)
        assert len(replies) == 1
    else:
        assert replies == [], f"{case.kind} in a {case.chat_type} chat is not answered"


ROBIN = {"id": USER, "is_bot": False, "first_name": "Robin"}
GROUP_START = (
    "message",
    {"message_id": 5, "date": 1, "chat": chat_for("group", 0), "text": "/start", "from": ROBIN},
    Case("message", "group", GROUP, USER),
)
CHANNEL_DELETE = (
    "channel_post",
    {"message_id": 5, "date": 1, "chat": chat_for("channel", 0), "text": "/delete"},
    Case("channel_post", "channel", CHANNEL, None),
)

# Found by this target: a forged "sleep" tap without arguments used to raise IndexError.
SLEEP_WITHOUT_ARGS = (
    "callback_query",
    {
        "id": "",
        "from": {"id": STRANGER, "is_bot": False, "first_name": "0"},
        "chat_instance": str(STRANGER),
        "data": "1:sleep",
        "message": {"message_id": 1, "date": 1, "chat": chat_for("private", STRANGER)},
    },
    Case("callback_query", "private", STRANGER, STRANGER),
)


def tap_on_a_missing_message(user: int, data: str) -> tuple[str, dict[str, Any], Case]:
    """A tap on message 1, which the bot never sent (deleted, or forged)."""
    return (
        "callback_query",
        {
            "id": "",
            "from": {"id": user, "is_bot": False, "first_name": "0"},
            "chat_instance": str(user),
            "data": data,
            "message": {"message_id": 1, "date": 1, "chat": chat_for("private", user)},
        },
        Case("callback_query", "private", user, user),
    )


# Found by the fuzz in CI: "Update today's answers" with made-up arguments edited message 1,
# which did not exist, and Telegram's refusal reached the error handler.
AGAIN_WITH_ARGS = tap_on_a_missing_message(STRANGER, "1:ci_again:0:cAx-5b:+0.0:2_ae7")
# The real button on a message that is gone: the check-in opens in a new message instead.
AGAIN_ON_A_GONE_MESSAGE = tap_on_a_missing_message(ENROLLED, "1:ci_again")


@fuzz(150)
@given(update=updates())
@example(update=AGAIN_WITH_ARGS)
@example(update=AGAIN_ON_A_GONE_MESSAGE)
@example(update=GROUP_START)
@example(update=CHANNEL_DELETE)
@example(update=SLEEP_WITHOUT_ARGS)
async def test_any_update(bot: Harness, update: tuple[str, dict[str, Any], Case]) -> None:
    kind, payload, case = update
    await reset(bot)
    before_keys = await snapshot(bot)
    answerable = case.chat_type in ("private", "group", "supergroup")
    seen = len(bot.emu.bot_messages(case.chat_id)) if answerable else 0
    with error_handler_calls() as failures:
        query_id = await push(bot, kind, payload, case)
    assert failures.take() == []
    check_answer(bot, case, seen, query_id)
    after_keys = await snapshot(bot)
    changed = {
        k for k in before_keys.keys() | after_keys.keys() if before_keys.get(k) != after_keys.get(k)
    }
    allowed = {k.encode() for k in person_keys(case.sender or 0)} if case.personal else set()
    assert {k for k in changed if not k.startswith(b"due:")} <= allowed, sorted(changed)
    if not case.personal:
        assert not [k for k in changed if k.startswith(b"due:")]
    event(f"{case.kind} in {case.chat_type}: {'stored' if changed else 'nothing stored'}")
