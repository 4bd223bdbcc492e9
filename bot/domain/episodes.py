"""An episode logged the moment it happens ("⚡ Twitching now"): when, what came just before,
and where, if not in the person's usual place. Pure; stored compactly by the store.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict

from bot.domain.localtime import resolve_local
from bot.domain.models import TwitchLocation

# Past this many episodes in one local day, a tap is answered kindly and not stored.
EPISODES_PER_DAY_CAP = 200


class Before(StrEnum):
    """What came just before an episode; the exposures the article links to twitching."""

    CAFFEINE = "caffeine"  # coffee or tea
    SCREENS = "screens"
    STRESS = "stress"
    TIREDNESS = "tiredness"
    ALCOHOL = "alcohol"
    NOTHING = "nothing"  # nothing special


class Episode(BaseModel):
    """One logged episode. `before` and `where` stay None until (unless) the person answers;
    `where` None means the usual place."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    at: AwareDatetime
    before: Before | None = None
    where: TwitchLocation | None = None


def day_start(zone: str, local_date: date, wake_time: time | None) -> datetime:
    """When the plan date `local_date` begins: at wake time (ARCHITECTURE §3), or at midnight
    without one. Episodes from then on are "today's" for the cap and the evening check-in."""
    return resolve_local(zone, local_date, wake_time or time(0, 0))
