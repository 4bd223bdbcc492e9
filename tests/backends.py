"""Which Redis a test runs on: one redis-server ("single") or a local Redis Cluster ("cluster").

Decorate a test (or set a module's ``pytestmark``) with ON_BOTH to run it on both; the cluster
run carries the ``cluster`` mark, so ``-m cluster`` selects it. On the cluster every script's
keys are audited: each call must keep them in one hash slot.
"""

from __future__ import annotations

from typing import Any, Final

import pytest
from redis.asyncio.cluster import RedisCluster
from redis.crc import key_slot

SINGLE: Final = "single"
CLUSTER: Final = "cluster"
SCRIPT_COMMANDS: Final = ("EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO")

ON_BOTH = pytest.mark.both_backends


def parametrize_backends(metafunc: pytest.Metafunc) -> None:
    """Run a test marked ON_BOTH once per backend, if it uses Redis at all."""
    marked = metafunc.definition.get_closest_marker("both_backends") is not None
    if marked and "redis_backend" in metafunc.fixturenames:
        backends = [SINGLE, pytest.param(CLUSTER, marks=pytest.mark.cluster)]
        metafunc.parametrize("redis_backend", backends, indirect=True)


def _encoded(key: Any) -> bytes:
    return key if isinstance(key, bytes) else str(key).encode()


class SlotAudit:
    """Records the hash slots of every script call a cluster client makes in this process.

    redis-py refuses a cross-slot script itself, but with an exception the bot may catch and
    treat as "Redis is down": the audit notes it before that can hide it.
    """

    def __init__(self) -> None:
        self.scripts = 0
        self.crossing: list[str] = []

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        original = RedisCluster._determine_slot  # noqa: SLF001 - where redis-py picks the node
        audit = self

        async def determine_slot(client: RedisCluster, command: str, *args: Any) -> int:
            audit.record(command, args)
            return await original(client, command, *args)

        monkeypatch.setattr(RedisCluster, "_determine_slot", determine_slot)

    def record(self, command: str, args: tuple[Any, ...]) -> None:
        if command.upper() not in SCRIPT_COMMANDS:
            return
        keys = args[2 : 2 + int(args[1])]
        self.scripts += 1
        slots = {key_slot(_encoded(key)) for key in keys}
        if len(slots) > 1:
            self.crossing.append(f"{command} over {[_encoded(k).decode() for k in keys]}")
