"""What logged episodes show (pure): when in the day they cluster, and which "just before"
answers stand out against how often the person meets that exposure anyway.

Honest thresholds, stated here so the texts can say them:

- Times: at least MIN_EPISODES_FOR_TIMES logged episodes. A cluster is the CLUSTER_HOURS-hour
  window (local time) holding the most episodes, reported only when it holds at least
  CLUSTER_SHARE of them. With times spread evenly over a 16-hour waking day a 3-hour window
  holds about 19%; a half is more than twice that, and with fewer than 8 episodes a half is
  3 episodes, which chance gives too easily.
- "Just before": at least MIN_EPISODES_FOR_TIMES episodes with an answer. An exposure is named
  only when it came before at least MIN_TRIGGER_EPISODES of them, and its share of those
  episodes exceeds, by at least TRIGGER_EXCESS, the share of the person's days on which they
  met it (from the check-ins, and from the log itself). So a daily habit, there before every
  episode because it is there all day every day, is not blamed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time

from bot.domain.episodes import Before, Episode
from bot.domain.localtime import local_now
from bot.domain.models import CheckInRecord
from bot.domain.plan import plan_date_at

MIN_EPISODES_FOR_TIMES = 8
CLUSTER_HOURS = 3
CLUSTER_SHARE = 0.5
MIN_TRIGGER_EPISODES = 3
TRIGGER_EXCESS = 0.25
# What a check-in says about the day's exposures: drinks with caffeine, stress from 3 of 5,
# under 6 hours of sleep (tiredness). Screens and alcohol are not asked: only the log tells.
STRESSED_FROM = 3
TIRED_BELOW_HOURS = 6
_HOURS = 24


@dataclass(frozen=True)
class Cluster:
    """Most episodes came between `start` and `start + CLUSTER_HOURS` hours (local)."""

    start_hour: int
    count: int
    total: int

    @property
    def end_hour(self) -> int:
        return (self.start_hour + CLUSTER_HOURS) % _HOURS


@dataclass(frozen=True)
class Trigger:
    """An exposure that came before `count` of `total` answered episodes, against `days_with`
    of `days` days on which the person met it at all."""

    before: Before
    count: int
    total: int
    days_with: int
    days: int


@dataclass(frozen=True)
class EpisodeInsight:
    """What the person's log shows; `enough` is False below the threshold (then say so)."""

    total: int
    by_hour: tuple[int, ...]  # episodes per local hour, 0..23
    enough: bool
    cluster: Cluster | None
    triggers: tuple[Trigger, ...]


def episode_insight(
    zone: str,
    wake_time: time | None,
    episodes: Sequence[Episode],
    checkins: Sequence[CheckInRecord],
) -> EpisodeInsight:
    """The time-of-day histogram, its cluster, and the stand-out "just before" answers."""
    hours = [local_now(zone, e.at).hour for e in episodes]
    by_hour = tuple(hours.count(h) for h in range(_HOURS))
    enough = len(episodes) >= MIN_EPISODES_FOR_TIMES
    return EpisodeInsight(
        total=len(episodes),
        by_hour=by_hour,
        enough=enough,
        cluster=time_cluster(by_hour) if enough else None,
        triggers=triggers(zone, wake_time, episodes, checkins),
    )


def time_cluster(by_hour: Sequence[int]) -> Cluster | None:
    """The fullest CLUSTER_HOURS-hour window (wrapping past midnight), if it holds at least
    CLUSTER_SHARE of the episodes; the earliest such window on a tie."""
    total = sum(by_hour)
    if total < MIN_EPISODES_FOR_TIMES:
        return None
    counts = [sum(by_hour[(h + i) % _HOURS] for i in range(CLUSTER_HOURS)) for h in range(_HOURS)]
    best = max(range(_HOURS), key=lambda h: (counts[h], -h))
    if counts[best] < CLUSTER_SHARE * total:
        return None
    return Cluster(start_hour=best, count=counts[best], total=total)


def triggers(
    zone: str,
    wake_time: time | None,
    episodes: Sequence[Episode],
    checkins: Sequence[CheckInRecord],
) -> tuple[Trigger, ...]:
    """Exposures over-represented before episodes, most frequent first."""
    answered = [e for e in episodes if e.before is not None and e.before is not Before.NOTHING]
    named = [e for e in episodes if e.before is not None]
    if len(named) < MIN_EPISODES_FOR_TIMES:
        return ()
    days = exposure_days(zone, wake_time, named, checkins)
    all_days = set().union(*days.values()) | {r.local_date for r in checkins}
    all_days |= {plan_date_at(local_now(zone, e.at), wake_time) for e in named}
    counts = Counter(e.before for e in answered)
    found = []
    for before, count in counts.most_common():
        assert before is not None  # answered only
        days_with = len(days.get(before, set()))
        share_days = days_with / len(all_days)
        if count >= MIN_TRIGGER_EPISODES and count / len(named) >= share_days + TRIGGER_EXCESS:
            found.append(Trigger(before, count, len(named), days_with, len(all_days)))
    return tuple(found)


def exposure_days(
    zone: str,
    wake_time: time | None,
    episodes: Sequence[Episode],
    checkins: Sequence[CheckInRecord],
) -> dict[Before, set[date]]:
    """For each exposure, the plan dates on which the person met it: a check-in that reports it,
    or an episode it came before."""
    days: dict[Before, set[date]] = {before: set() for before in Before}
    for record in checkins:
        checkin = record.checkin
        if checkin.caffeine_drinks > 0:
            days[Before.CAFFEINE].add(record.local_date)
        if checkin.stress_level >= STRESSED_FROM:
            days[Before.STRESS].add(record.local_date)
        if checkin.sleep_hours < TIRED_BELOW_HOURS:
            days[Before.TIREDNESS].add(record.local_date)
    for episode in episodes:
        if episode.before is not None:
            days[episode.before].add(plan_date_at(local_now(zone, episode.at), wake_time))
    return days
