"""A dispatcher process for crash tests: `python -m tests.e2e.worker --stall-on USER_ID`.

It is the real bot's start-up (settings from TWITCHCARE_* variables, build_application and its
post_init: RedisClient, content, the due queue) and the real Dispatcher, ticking once. Only reading
one person's profile is replaced: right after the tick has claimed that person, the worker
prints ``claimed <user id>`` and waits forever, so a test can SIGKILL it exactly between the
claim and the outbox marker. Everyone else is dispatched as usual first (shards are handled in
order, and each shard's sends finish before the next shard is claimed).
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.core.config import load_settings
from bot.domain.clock import clock_for
from bot.domain.models import Profile
from bot.ops.app import build_application, running
from bot.storage.client import RedisClient
from bot.storage.store import Store
from scheduler.dispatcher import Dispatcher
from scheduler.sync import QueueSync

CLAIMED = "claimed"


class StallingStore(Store):
    """A Store that never finishes reading one person's profile, after saying so."""

    def __init__(self, redis: RedisClient, listener: QueueSync, stall_on: int) -> None:
        super().__init__(redis, listener)
        self._stall_on = stall_on

    async def get_profile(self, user_id: int) -> Profile | None:
        if user_id == self._stall_on:
            print(f"{CLAIMED} {user_id}", flush=True)
            await asyncio.Event().wait()  # until the test kills this process
        return await super().get_profile(user_id)


async def work(stall_on: int) -> None:
    """Start the bot's services without polling, then tick one dispatcher once."""
    settings = load_settings()
    clock = clock_for(settings.clock_start, settings.clock_speed)
    async with running(build_application(settings, clock=clock)) as app:
        services = app.bot_data.services
        listener = QueueSync(services.queue, clock)
        store = StallingStore(services.store.redis, listener, stall_on)
        dispatcher = Dispatcher(app.bot, store, services.queue, services.content, clock)
        await dispatcher.tick()
    print("tick finished without stalling", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.e2e.worker", description=__doc__)
    parser.add_argument("--stall-on", type=int, required=True, help="the user id to stall on")
    args = parser.parse_args()
    asyncio.run(work(args.stall_on))
    return 0


if __name__ == "__main__":
    sys.exit(main())
