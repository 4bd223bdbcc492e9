"""Compact, versioned callback data for inline buttons (ARCHITECTURE §6).

Telegram accepts 1-64 bytes of callback data per button. A button carries
``"<version>:<action>:<arg>:<arg>..."`` built only from ASCII tokens, so bytes equal characters
and nothing needs escaping. Anything else we receive (a stale button from an older release, a
foreign or forged payload) decodes to ``None`` and the caller answers politely.

Every action is a member of :class:`Action`, so a misspelt one is a type error, not a "stale
button" notice in someone's chat. The router passes :func:`decode` the actions the features
registered.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

VERSION = 1
# Versions this release still understands. Bump VERSION when the meaning of existing
# payloads changes; keep the old one here only while its buttons are still handled.
SUPPORTED_VERSIONS: frozenset[int] = frozenset({VERSION})
MAX_BYTES = 64
SEP = ":"

_ACTION_RE = re.compile(r"[a-z][a-z0-9_]{0,23}")
_ARG_RE = re.compile(r"[A-Za-z0-9_.+-]{1,62}")
_VERSION_RE = re.compile(r"[1-9][0-9]{0,3}")


class Action(StrEnum):
    """What a button does. The value is the action's name on the wire: buttons already in
    people's chats carry it, so a value never changes (tests/unit/test_callbacks.py keeps the
    table). Names are lower-case ASCII, digits and ``_``, at most 24 characters, short to save
    bytes."""

    # the day's step and the check-in
    CHECKIN_NOW = "checkin_now"
    WHY = "why"
    CHECKIN_ANSWER = "ci"
    CHECKIN_SIGN = "ci_sign"
    CHECKIN_AGAIN = "ci_again"
    # enrolment
    CONSENT = "consent"
    CARRY_ON = "carry_on"
    ENROL_AGAIN = "en_again"
    ENROL_ZONE = "en_zone"
    ENROL_COUNTRY = "en_country"
    ENROL_TIME = "en_time"
    ENROL_ONSET = "en_onset"
    # settings
    SETTINGS_MENU = "set_menu"
    SETTINGS_ZONE = "set_zone"
    SETTINGS_COUNTRY = "set_country"
    SETTINGS_TIME = "set_time"
    # scheduled nudges
    SLEEP = "sleep"
    SNOOZE = "snooze"
    # help, urgent signs and emergencies
    FAQ = "faq"
    URGENT_OPEN = "urgent_open"
    URGENT_SIGN = "ur_sign"
    URGENT_SOS = "ur_sos"
    SAFE = "safe"
    # logging an episode ("⚡ Twitching now"): what came before, where
    TWITCH_BEFORE = "tw_before"
    TWITCH_WHERE = "tw_where"
    # the person's language (/language)
    LANGUAGE = "lang"
    # stopping and deleting
    STOP = "stop"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Callback:
    """A decoded button payload. Checking how many args an action takes is the caller's job."""

    version: int
    action: Action
    args: tuple[str, ...] = ()


def is_action(name: str) -> bool:
    """Whether `name` is a valid action name: lower-case ASCII, digits and ``_``, ≤ 24 chars."""
    return _ACTION_RE.fullmatch(name) is not None


def is_arg(value: str) -> bool:
    """Whether `value` is a valid argument token: ``[A-Za-z0-9_.+-]``, non-empty."""
    return _ARG_RE.fullmatch(value) is not None


def encode(action: Action, *args: str) -> str:
    """Build button payload; ValueError for a bad arg or a result over 64 bytes."""
    for arg in args:
        if not is_arg(arg):
            raise ValueError(f"invalid callback argument for {action!r}: {arg!r}")
    data = SEP.join((str(VERSION), action, *args))
    if len(data) > MAX_BYTES:  # all ASCII, so characters == UTF-8 bytes
        raise ValueError(f"callback data is {len(data)} bytes, over {MAX_BYTES}: {data!r}")
    return data


def decode(data: object, known: Collection[Action]) -> Callback | None:
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
    return Callback(version=int(version), action=Action(action), args=tuple(args))
