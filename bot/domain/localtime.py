"""Local wall-clock time in IANA zones, with DST gaps and folds resolved the same way everywhere.

Rules (ARCHITECTURE §5): a wall time that does not exist (spring forward) moves to the first valid
instant after it, which is the transition instant; a wall time that happens twice (fall back)
means its first occurrence only. Every instant returned here is in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_ONE_SECOND = timedelta(seconds=1)


def require_aware(moment: datetime) -> None:
    """Reject naive datetimes: every instant in the bot carries its zone."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware: {moment!r}")


def local_now(zone: str, instant: datetime) -> datetime:
    """The local wall-clock reading in `zone` at `instant` (an aware datetime).

    Note (PEP 495): during a repeated hour the result has fold=1, and an inter-zone `==` with
    such a value is always False; compare instants in UTC (ordering comparisons are fine).
    """
    require_aware(instant)
    return instant.astimezone(ZoneInfo(zone))


def resolve_local(zone: str, local_date: date, wall_time: time) -> datetime:
    """The UTC instant at which `zone` reads `wall_time` on `local_date` (gap/fold rules above)."""
    tz = ZoneInfo(zone)
    wall = datetime.combine(local_date, wall_time.replace(tzinfo=None, fold=0))
    first = wall.replace(tzinfo=tz).astimezone(UTC)  # fold=0: the first occurrence in a fold
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first
    # In a gap, fold=0 uses the offset from before the transition (an instant after it) and
    # fold=1 the offset from after it (an instant before it): the transition lies between.
    before = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    return _transition_between(tz, before, first)


def _transition_between(tz: ZoneInfo, lo: datetime, hi: datetime) -> datetime:
    """The exact instant in (lo, hi] at which `tz`'s offset changes, by bisection on seconds.

    zoneinfo transitions fall on whole seconds, so after dropping sub-second parts the
    invariant offset(lo) != offset(hi) holds and the loop ends at the transition itself.
    """
    lo, hi = lo.replace(microsecond=0), hi.replace(microsecond=0)
    lo_offset = lo.astimezone(tz).utcoffset()
    while hi - lo > _ONE_SECOND:
        mid = lo + (hi - lo) // 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(tz).utcoffset() == lo_offset:
            lo = mid
        else:
            hi = mid
    return hi
