"""One person's updates in order, different people's side by side."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update

from bot.chat.ordering import PerChatUpdateProcessor

DATE = 1_774_000_000


def update_in(chat_id: int, update_id: int) -> Update:
    message = Message.de_json(
        {"message_id": update_id, "date": DATE, "chat": {"id": chat_id, "type": Chat.PRIVATE}},
        None,
    )
    return Update(update_id=update_id, message=message)


async def test_one_chat_runs_in_order_and_other_chats_do_not_wait() -> None:
    processor = PerChatUpdateProcessor(max_concurrent_updates=8)
    release_first = asyncio.Event()
    log: list[str] = []

    async def handle(name: str, gate: asyncio.Event | None = None) -> None:
        log.append(f"{name} start")
        if gate is not None:
            await gate.wait()
        log.append(f"{name} end")

    first = asyncio.create_task(
        processor.process_update(update_in(1, 1), handle("a1", release_first))
    )
    second = asyncio.create_task(processor.process_update(update_in(1, 2), handle("a2")))
    other = asyncio.create_task(processor.process_update(update_in(2, 3), handle("b1")))
    await other  # another person's update finishes while a1 is still running
    assert log == ["a1 start", "b1 start", "b1 end"]

    release_first.set()
    await asyncio.gather(first, second)
    assert log[3:] == ["a1 end", "a2 start", "a2 end"]
    assert processor._locks == {}  # nothing kept for chats with nothing in flight
