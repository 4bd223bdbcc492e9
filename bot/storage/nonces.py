"""Write nonces of the Mini App: each is accepted once, so a replayed request changes nothing.

Keys are `wan:{<shard>}:<nonce>`: random, naming no person, hash-tagged to spread over a Redis
Cluster, and kept as long as the initData they came with can be valid.
"""

from __future__ import annotations

import zlib
from typing import Final

from bot.storage.client import RedisClient

SHARDS: Final = 16


class Nonces:
    def __init__(self, redis: RedisClient) -> None:
        self._redis = redis

    @staticmethod
    def key(nonce: str) -> str:
        return f"wan:{{{zlib.crc32(nonce.encode()) % SHARDS}}}:{nonce}"

    async def first_use(self, nonce: str, ttl_seconds: int) -> bool:
        """True the first time `nonce` is seen within `ttl_seconds`, False for a repeat."""
        return bool(await self._redis.set(self.key(nonce), b"1", nx=True, ex=ttl_seconds))
