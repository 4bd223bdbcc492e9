"""Logged episodes packed for Redis: "<unix seconds><before><where>", 12 bytes for years to come.

One list element per episode keeps an event well under 64 bytes of Redis memory (a small
list is a listpack). Never change a code letter: stored events carry them; add new ones.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from bot.domain.episodes import Before, Episode
from bot.domain.models import TwitchLocation

UNSET: Final = "-"  # not answered (before), or the usual place (where)
BEFORE_CODES: Final[dict[Before, str]] = {
    Before.CAFFEINE: "c",
    Before.SCREENS: "s",
    Before.STRESS: "x",
    Before.TIREDNESS: "t",
    Before.ALCOHOL: "a",
    Before.NOTHING: "n",
}
WHERE_CODES: Final[dict[TwitchLocation, str]] = {
    TwitchLocation.EYELID: "e",
    TwitchLocation.CHEEK: "k",
    TwitchLocation.MOUTH: "m",
    TwitchLocation.CHIN: "c",
    TwitchLocation.MULTIPLE_FACE_AREAS: "f",
    TwitchLocation.OTHER_BODY_PART: "b",
}
_BEFORE: Final = {code: before for before, code in BEFORE_CODES.items()}
_WHERE: Final = {code: where for where, code in WHERE_CODES.items()}


class CorruptEpisodeError(ValueError):
    """A stored episode cannot be read; the message never includes the stored text."""


def pack(episode: Episode) -> str:
    """The stored form of an episode (whole seconds: the tap's moment, not its microseconds)."""
    before = BEFORE_CODES[episode.before] if episode.before else UNSET
    where = WHERE_CODES[episode.where] if episode.where else UNSET
    return f"{int(episode.at.timestamp())}{before}{where}"


def unpack(raw: bytes | str) -> Episode:
    """An episode from its stored form; CorruptEpisodeError for anything else."""
    text = raw.decode() if isinstance(raw, bytes) else raw
    seconds, before, where = text[:-2], text[-2:-1], text[-1:]
    if not seconds.isascii() or not seconds.isdigit():
        raise CorruptEpisodeError("not an episode")
    if (before != UNSET and before not in _BEFORE) or (where != UNSET and where not in _WHERE):
        raise CorruptEpisodeError("unknown episode code")
    return Episode(
        at=datetime.fromtimestamp(int(seconds), UTC),
        before=_BEFORE.get(before),
        where=_WHERE.get(where),
    )
