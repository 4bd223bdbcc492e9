"""Injected failures: what the next matching request should suffer instead of succeeding."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FaultKind(StrEnum):
    FORBIDDEN = "forbidden"  # 403 bot was blocked by the user
    SERVER_ERROR = "server_error"  # 502 Bad Gateway
    MIGRATED = "migrated"  # 400 the group became a supergroup (PTB raises ChatMigrated)
    TIMEOUT = "timeout"  # delivered, but the reply never comes until released
    DISCONNECT = "disconnect"  # nothing recorded, connection dropped
    HANG = "hang"  # nothing recorded, no answer until released, then the connection drops
    FLOOD = "flood"  # 429 Too Many Requests with the fault's retry_after; nothing delivered


@dataclass
class Fault:
    method: str
    chat_id: int | None
    kind: FaultKind
    remaining: int
    retry_after: int = 1  # seconds, for FLOOD

    def matches(self, method: str, chat_id: int | None) -> bool:
        if self.method != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id


class FaultInjector:
    """A queue of faults, consumed first-in first-out by matching requests."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(
        self, method: str, chat_id: int | None, kind: FaultKind, times: int, retry_after: int = 1
    ) -> None:
        if times < 1 or retry_after < 1:
            raise ValueError("times and retry_after must be at least 1")
        self._faults.append(Fault(method.lower(), chat_id, FaultKind(kind), times, retry_after))

    def take(self, method: str, chat_id: int | None) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method, chat_id):
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults.remove(fault)
                return fault
        return None

    def clear(self) -> None:
        self._faults.clear()

    @property
    def pending(self) -> int:
        return sum(fault.remaining for fault in self._faults)
