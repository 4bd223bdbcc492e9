"""Shared steps for end-to-end tests: what a person does to get somewhere, in a few lines."""

from __future__ import annotations

from bot.emulator import ChatMessage
from bot.emulator.serialize import chat_json, unix, user_json
from bot.models import Profile, Status
from tests.e2e.harness import USER, Harness

CONSENT_BUTTON = "✅ I understand, let's start"


async def enrol(
    bot: Harness,
    zone: str = "london",
    wake: str = "07:00",
    bed: str = "23:00",
    onset: str = "Yesterday",
    user: int = USER,
) -> Profile:
    """Tap and type through enrolment as `user` would; returns the stored, active profile."""
    await bot.send("/start", user=user)
    await bot.tap(CONSENT_BUTTON, user=user)
    await bot.send(zone, user=user)
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
