"""The bot's update queue: getUpdates long polling and offset acknowledgement."""

from __future__ import annotations

import asyncio
import itertools
from typing import Any


class UpdateQueue:
    """Updates waiting for the bot, in id order, kept until acknowledged via `offset`."""

    def __init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._acked_below = 1
        self._changed = asyncio.Condition()
        self._closed = False
        self._polling = 0
        self._last_id = 0

    async def push(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = next(self._ids)
        self._last_id = update_id
        async with self._changed:
            self._pending.append({"update_id": update_id, kind: payload})
            self._changed.notify_all()
        return update_id

    async def fetch(self, offset: int, limit: int, wait_seconds: float) -> list[dict[str, Any]]:
        """Acknowledge by `offset`, then return pending updates, waiting up to `wait_seconds`."""
        async with self._changed:
            self._acknowledge(offset)
            self._changed.notify_all()
            if not self._pending and wait_seconds > 0 and not self._closed:
                self._polling += 1
                self._changed.notify_all()
                try:
                    async with asyncio.timeout(wait_seconds):
                        await self._changed.wait_for(lambda: bool(self._pending) or self._closed)
                except TimeoutError:
                    return []
                finally:
                    self._polling -= 1
            return [dict(update) for update in self._pending[:limit]]

    def _acknowledge(self, offset: int) -> None:
        if offset < 0:
            dropped = self._pending[:offset] if -offset < len(self._pending) else []
            self._pending = self._pending[len(dropped) :]
            if dropped:
                self._acked_below = max(self._acked_below, dropped[-1]["update_id"] + 1)
            return
        self._pending = [u for u in self._pending if u["update_id"] >= offset]
        self._acked_below = max(self._acked_below, offset)

    async def wait_acknowledged(self, update_id: int) -> None:
        """Return once the bot has asked for updates past `update_id`."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._acked_below > update_id or self._closed)
        if self._acked_below <= update_id:
            raise RuntimeError(f"emulator stopped before update {update_id} was acknowledged")

    async def wait_for_long_poll(self) -> None:
        """Return once a getUpdates call is waiting for updates to arrive."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._polling > 0 or self._closed)

    def get(self, update_id: int) -> dict[str, Any] | None:
        """The pending update with this id, as Telegram would send it."""
        for update in self._pending:
            if update["update_id"] == update_id:
                return dict(update)
        return None

    async def acknowledge_one(self, update_id: int) -> None:
        """A webhook answered 2xx for this update: forget it, whatever its place in line."""
        async with self._changed:
            self._pending = [u for u in self._pending if u["update_id"] != update_id]
            oldest = min((u["update_id"] for u in self._pending), default=self._last_id + 1)
            self._acked_below = max(self._acked_below, oldest)
            self._changed.notify_all()

    def is_acknowledged(self, update_id: int) -> bool:
        return self._acked_below > update_id

    @property
    def pending(self) -> list[dict[str, Any]]:
        return [dict(update) for update in self._pending]

    async def close(self) -> None:
        async with self._changed:
            self._closed = True
            self._changed.notify_all()

    async def drop_pending(self) -> None:
        """Forget every pending update (deleteWebhook/setWebhook drop_pending_updates)."""
        async with self._changed:
            if self._pending:
                self._acked_below = max(self._acked_below, self._pending[-1]["update_id"] + 1)
            self._pending.clear()
            self._changed.notify_all()
