"""Shared steps for end-to-end tests: what a person does to get somewhere, in a few lines."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from pypdf import PdfReader

from bot.domain.flows import Flow
from bot.domain.models import Profile, Status
from bot.storage.client import RedisClient
from bot.storage.store import Store
from devtools.emulator import BotApiEmulator, ChatMessage
from devtools.emulator.serialize import chat_json, unix, user_json
from devtools.manual_clock import ManualClock
from tests.e2e.harness import START, USER, Harness, running_bot, settings_for

CONSENT_BUTTON = "✅ I understand, let's start"


async def enrol(
    bot: Harness,
    zone: str = "london",
    wake: str = "07:00",
    bed: str = "23:00",
    onset: str = "Yesterday",
    user: int = USER,
    country: str | None = None,
) -> Profile:
    """Tap and type through enrolment as `user` would; returns the stored, active profile.

    `country` is the button to tap when the place leaves the country uncertain.
    """
    await bot.send("/start", user=user)
    await bot.tap(CONSENT_BUTTON, user=user)
    await bot.send(zone, user=user)
    if country is not None:
        await bot.tap(country, user=user)
    await bot.send(wake, user=user)
    await bot.send(bed, user=user)
    await bot.tap(onset, user=user)
    profile = await bot.store.get_profile(user)
    assert profile is not None, "enrolment did not create a profile"
    assert profile.status is Status.ACTIVE, f"enrolment ended in {profile.status}"
    return profile


async def send_sticker(bot: Harness, user: int = USER) -> None:
    """The person sends a sticker. The emulator only has text and locations for people, so
    this pushes the update Telegram would send."""
    core = bot.emu._core  # no public API for stickers; the shape below is Telegram's
    chat = core.store.chats[user]
    message = {
        "message_id": core.store.next_message_id(chat.id),
        "date": unix(core.clock.now()),
        "chat": chat_json(chat),
        "from": user_json(core.store.users[user]),
        "sticker": {
            "file_id": "CAACAgIAAxkBAAEsticker",
            "file_unique_id": "AgADsticker",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "😴",
        },
    }
    await bot.settle(await core.updates.push("message", message))


def same_step(flow: Flow | None, before: Flow | None) -> bool:
    """Whether a flow is still at the step it was, whichever message asked it last."""
    if flow is None or before is None:
        return flow is before
    return flow.replaced(message_id=None) == before.replaced(message_id=None)


def documents(bot: Harness, user: int = USER) -> dict[str, ChatMessage]:
    """The files the bot sent to the person, by file name (the newest one per name)."""
    return {m.document.filename or "": m for m in bot.messages(user) if m.document is not None}


async def keyspace(bot: Harness) -> list[str]:
    """Every key in Redis, sorted (SCAN, as an operator would check)."""
    return sorted([key.decode() async for key in bot.redis.scan_iter(count=1000)])


# --- the daily check-in (tests/e2e/test_checkin.py, test_redflags_e2e.py) --------------------

NO_EPISODES = "😌 None today"
SIGNS_DONE = "✅ Done"
SIGNS_NONE = "👍 None of these"


async def check_in(
    bot: Harness,
    *,
    where: str = "👁️ Eyelid",
    count: str = "1 or 2",
    longest: str = "⏳ Minutes",
    sleep: str = "7 to 8 hours",
    coffee: str = "1",
    stress: str = "🙂 2 · A little",
    signs: tuple[str, ...] = (),
    finish: str | None = SIGNS_DONE,
    command: str | None = "/checkin",
    answered: int = 0,
    user: int = USER,
) -> int:
    """Tap through a check-in: started with `command` (None: already on screen, with the first
    `answered` answers given), `signs` are toggle labels without their mark, `finish` None stops
    at the warning-sign step. Returns the check-in message's id."""
    if command is not None:
        await bot.send(command, user=user)
    answers = [where, count] + ([] if count == NO_EPISODES else [longest])
    taps = [*answers, sleep, coffee, stress][answered:]
    taps += [f"⬜ {sign}" for sign in signs] + ([finish] if finish else [])
    message_id = bot.message_with(taps[0], user).message_id
    for label in taps:
        await bot.tap(label, user=user, message_id=message_id)
    return message_id


# --- the scheduler (tests/e2e/test_schedule.py, test_schedule_changes.py) ---------------------

SWEEP = timedelta(minutes=15)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


async def walk(
    bot: Harness,
    until: datetime,
    *,
    at: Iterable[datetime] = (),
    every: timedelta = SWEEP,
) -> None:
    """Move the clock to `until`, ticking every `every` and also one minute before, at and one
    minute after each instant in `at`. Whatever is sent goes out at a tick, so a send at a wrong
    time still shows up, stamped with the tick's time (and a stale evening one is never older
    than `every` when it is looked at)."""
    start = bot.clock.now()
    moments: set[datetime] = set()
    moment = _EPOCH + (start - _EPOCH) // every * every + every  # on the grid: :00, :15, ...
    while moment < until:
        moments.add(moment)
        moment += every
    moments.add(until)
    for instant in at:
        moments.update(instant + timedelta(minutes=shift) for shift in (-1, 0, 1))
    for moment in sorted(m for m in moments if start < m <= until):
        bot.clock.set(moment)
        await bot.tick()


async def walk_due(bot: Harness, until: datetime, *, at: Iterable[datetime] = ()) -> None:
    """Move the clock to `until` exactly as ticking every minute would, but skip the minutes in
    which nothing is due: a tick only sends what it claims, and it only claims queue entries due
    by then, so a tick at a minute before the earliest due entry does nothing. Also ticks one
    minute before, at and one minute after each instant in `at`."""
    extra = {instant + timedelta(minutes=shift) for instant in at for shift in (-1, 0, 1)}
    while (now := bot.clock.now()) < until:
        candidates = [until, *(moment for moment in extra if moment > now)]
        earliest = await _earliest_due(bot)
        if earliest is not None:
            candidates.append(max(_minute_at_or_after(earliest), now + timedelta(minutes=1)))
        bot.clock.set(min(candidates))
        await bot.tick()


async def _earliest_due(bot: Harness) -> datetime | None:
    queue = bot.app.bot_data.services.queue
    heads = [await bot.redis.zrange(key, 0, 0, withscores=True) for key in queue.shard_keys()]
    scores = [float(head[0][1]) for head in heads if head]
    return datetime.fromtimestamp(min(scores), UTC) if scores else None


def _minute_at_or_after(moment: datetime) -> datetime:
    whole = moment.replace(second=0, microsecond=0)
    return whole if whole == moment else whole + timedelta(minutes=1)


async def due_at(bot: Harness, user: int = USER) -> datetime | None:
    """The person's next send as the due queue in Redis holds it."""
    return await bot.app.bot_data.services.queue.due_at(user)


def headline(message: ChatMessage) -> str:
    """The first line of a message, as the person sees it."""
    return message.text.split("\n", 1)[0]


def sent_since(bot: Harness, count: int, user: int = USER) -> list[ChatMessage]:
    """The bot's messages to the person after the first `count`."""
    return bot.messages(user)[count:]


def timeline(messages: Iterable[ChatMessage], zone: str) -> list[tuple[str, str]]:
    """(local wall time to the minute, first line) of each message, in the person's zone."""
    where = ZoneInfo(zone)
    return [(f"{m.date.astimezone(where):%Y-%m-%d %H:%M}", headline(m)) for m in messages]


@asynccontextmanager
async def rate_limited_harness(
    redis_url: str, redis: RedisClient, start: datetime = START
) -> AsyncIterator[Harness]:
    """A harness whose bot sends through the Redis rate limiter (its waits move the clock)."""
    clock = ManualClock(start)
    async with BotApiEmulator(clock) as emu:
        settings = settings_for(emu, redis_url).model_copy(update={"rate_limit": True})
        async with running_bot(emu, settings, clock) as app:
            yield Harness(emu=emu, app=app, clock=clock, redis=redis, store=Store(redis))


def chat_sends(bot: Harness, chat_id: int) -> int:
    """sendMessage calls to one chat, refused ones (403, 429) included."""
    requests = bot.emu.requests_for("sendMessage")
    return sum(1 for r in requests if str(r.params.get("chat_id")) == str(chat_id))


# --- insight: a scripted week, and reading the files the bot sends (test_progress_chart.py,
# test_report_pdf.py) ------------------------------------------------------------------------

# One day of check-in taps: (count, longest, sleep, coffee, stress, signs). Days 1-3 have 3 or
# more caffeinated drinks and more twitching; day 2 reports pain.
PAIN = "Pain with the twitch"
WEEK: tuple[tuple[str, str, str, str, str, tuple[str, ...]], ...] = (
    ("6 to 10", "⏳ Minutes", "5 to 6 hours", "4 or more", "😟 4 · Quite a lot", ()),
    ("6 to 10", "⏳ Minutes", "😫 Under 5 hours", "4 or more", "😟 4 · Quite a lot", (PAIN,)),
    ("3 to 5", "⏱️ A few seconds", "6 to 7 hours", "3", "😐 3 · Some", ()),
    ("1 or 2", "⏱️ A few seconds", "7 to 8 hours", "1", "🙂 2 · A little", ()),
    ("1 or 2", "⏱️ A few seconds", "7 to 8 hours", "1", "🙂 2 · A little", ()),
    ("1 or 2", "⏱️ A few seconds", "😴 8 hours or more", "0", "😌 1 · Calm", ()),
    (NO_EPISODES, "", "😴 8 hours or more", "0", "😌 1 · Calm", ()),
)  # fmt: skip


async def check_in_week(bot: Harness, user: int = USER) -> None:
    """Tap through /checkin on each of the 7 plan days, moving the clock a day after each one
    but the last (the clock ends on day 7, after its check-in)."""
    for index, (count, longest, sleep, coffee, stress, signs) in enumerate(WEEK):
        if index:
            bot.advance(days=1)
        await check_in(
            bot,
            count=count,
            longest=longest,
            sleep=sleep,
            coffee=coffee,
            stress=stress,
            signs=signs,
            user=user,
        )


def photos(bot: Harness, user: int = USER) -> list[ChatMessage]:
    """The photos the bot sent to the person, oldest first."""
    return [m for m in bot.messages(user) if m.photo is not None]


def pdf_text(message: ChatMessage) -> str:
    """The text of a PDF the bot sent, as a PDF reader extracts it (every page)."""
    assert message.document is not None
    reader = PdfReader(io.BytesIO(message.document.data))
    return "\n".join(page.extract_text() for page in reader.pages)


def as_bytes(value: object) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


async def values_of(redis: RedisClient, key: str | bytes) -> list[bytes]:
    """Everything a key holds, whatever its type (members of a due queue, list items...)."""
    kind = as_bytes(await redis.type(key)).decode()
    values: list[object]
    if kind == "string":
        values = [await redis.get(key)]
    elif kind == "list":
        values = list(await redis.lrange(key, 0, -1))
    elif kind == "zset":
        values = list(await redis.zrange(key, 0, -1))
    elif kind == "set":
        values = list(await redis.smembers(key))
    elif kind == "hash":
        values = [item for pair in (await redis.hgetall(key)).items() for item in pair]
    else:
        raise AssertionError(f"unexpected type {kind} of {key!r}")
    return [as_bytes(value) for value in values]
