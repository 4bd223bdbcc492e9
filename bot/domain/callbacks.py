"""Compact, versioned callback data for inline buttons (ARCHITECTURE §6).

Telegram accepts 1-64 bytes of callback data per button. A button carries
``"<version>:<action>:<arg>:<arg>..."`` built only from ASCII tokens, so bytes equal characters
and nothing needs escaping. Anything else we receive (a stale button from an older release, a
foreign or forged payload) decodes to ``None`` and the caller answers politely.

Feature modules declare their actions with :func:`actions` and the application joins them, e.g.
``KNOWN = checkin.ACTIONS | settings.ACTIONS``; :func:`decode` and :func:`matcher` take that set.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

VERSION = 1
# Versions this release still understands. Bump VERSION when the meaning of existing
# payloads changes; keep the old one here only while its buttons are still handled.
SUPPORTED_VERSIONS: frozenset[int] = frozenset({VERSION})
MAX_BYTES = 64
SEP = ":"

_ACTION_RE = re.compile(r"[a-z][a-z0-9_]{0,23}")
_ARG_RE = re.compile(r"[A-Za-z0-9_.+-]{1,62}")
_VERSION_RE = re.compile(r"[1-9][0-9]{0,3}")


@dataclass(frozen=True, slots=True)
class Callback:
    """A decoded button payload. Checking how many args an action takes is the caller's job."""

    version: int
    action: str
    args: tuple[str, ...] = ()

    def encode(self) -> str:
        """The payload string; only the current version can be written."""
        if self.version != VERSION:
            raise ValueError(f"cannot encode callback version {self.version}")
        return encode(self.action, *self.args)


def is_action(name: str) -> bool:
    """Whether `name` is a valid action name: lower-case ASCII, digits and ``_``, ≤ 24 chars."""
    return _ACTION_RE.fullmatch(name) is not None


def is_arg(value: str) -> bool:
    """Whether `value` is a valid argument token: ``[A-Za-z0-9_.+-]``, non-empty."""
    return _ARG_RE.fullmatch(value) is not None


def actions(*names: str) -> frozenset[str]:
    """Declare a feature module's actions, validated at import time (short names save bytes)."""
    for name in names:
        if not is_action(name):
            raise ValueError(f"invalid callback action name: {name!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate callback action in {names!r}")
    return frozenset(names)


def encode(action: str, *args: str) -> str:
    """Build button payload; ValueError for a bad action/arg or a result over 64 bytes."""
    if not is_action(action):
        raise ValueError(f"invalid callback action: {action!r}")
    for arg in args:
        if not is_arg(arg):
            raise ValueError(f"invalid callback argument for {action!r}: {arg!r}")
    data = SEP.join((str(VERSION), action, *args))
    if len(data) > MAX_BYTES:  # all ASCII, so characters == UTF-8 bytes
        raise ValueError(f"callback data is {len(data)} bytes, over {MAX_BYTES}: {data!r}")
    return data


def decode(data: object, known: Collection[str]) -> Callback | None:
    """Parse a payload; None for anything malformed, unsupported or not in `known`. Never raises."""
    if not isinstance(data, str) or not data or len(data) > MAX_BYTES or not data.isascii():
        return None
    version, _, rest = data.partition(SEP)
    if _VERSION_RE.fullmatch(version) is None or int(version) not in SUPPORTED_VERSIONS:
        return None
    action, *args = rest.split(SEP)
    if not is_action(action) or action not in known:
        return None
    if not all(is_arg(arg) for arg in args):
        return None
    return Callback(version=int(version), action=action, args=tuple(args))


def matcher(*wanted: str) -> Callable[[object], bool]:
    """A predicate for PTB's ``CallbackQueryHandler(pattern=...)`` that accepts these actions."""
    known = actions(*wanted)

    def match(data: object) -> bool:
        return decode(data, known) is not None

    return match
