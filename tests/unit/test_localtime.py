"""Local time across DST gaps, folds and zones; expected instants are worked out by hand.

2026/2027 transitions used below (UTC instants):
- Europe/London: spring 03-29 / 03-28 01:00 (01:00 GMT -> 02:00 BST);
  autumn 10-25 / 10-31 01:00 (02:00 BST -> 01:00 GMT).
- America/New_York: spring 03-08 / 03-14 07:00 (02:00 EST -> 03:00 EDT);
  autumn 11-01 / 11-07 06:00 (02:00 EDT -> 01:00 EST).
- Australia/Lord_Howe (+11 summer, +10:30 winter, a 30-minute shift): autumn (April)
  04-04 / 04-03 15:00 (local 04-05 / 04-04 02:00 -> 01:30); spring (October) 10-03 / 10-02
  15:30 (local 10-04 / 10-03 02:00 -> 02:30).
- Pacific/Chatham (+13:45 summer, +12:45 winter): April 04-04 / 04-03 14:00 (local 03:45 ->
  02:45); September 09-26 / 09-25 14:00 (local 02:45 -> 03:45).
- Asia/Kolkata: +05:30 all year.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.localtime import local_now, resolve_local
from bot.domain.plan import SlotKind, next_slot

LONDON = "Europe/London"
NEW_YORK = "America/New_York"
LORD_HOWE = "Australia/Lord_Howe"
KOLKATA = "Asia/Kolkata"
CHATHAM = "Pacific/Chatham"
ZONES = (LONDON, NEW_YORK, LORD_HOWE, KOLKATA, CHATHAM)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def next_morning(zone: str, wall_time: time, after: datetime) -> datetime:
    """When the scheduler's rule (plan.next_slot) next sends the morning step of a plan under
    way, for a person who wakes at `wall_time`: the evening slots in between are skipped."""
    bedtime = time((wall_time.hour + 12) % 24, wall_time.minute)
    start = local_now(zone, after).date() - timedelta(days=2)
    while True:
        found = next_slot(
            after,
            zone=zone,
            start_date=start,
            pauses=(),
            onset_date=None,
            wake_time=wall_time,
            bedtime=bedtime,
        )
        assert found is not None
        slot, after = found
        if slot.kind is SlotKind.MORNING:
            return after


RESOLVE_CASES = [
    # zone, local date, wall time, expected UTC instant
    pytest.param(LONDON, date(2026, 3, 28), time(7), utc(2026, 3, 28, 7), id="london-gmt"),
    pytest.param(LONDON, date(2026, 3, 29), time(7), utc(2026, 3, 29, 6), id="london-bst"),
    pytest.param(LONDON, date(2026, 3, 29), time(1, 30), utc(2026, 3, 29, 1), id="london-gap-26"),
    pytest.param(LONDON, date(2026, 3, 29), time(1), utc(2026, 3, 29, 1), id="london-gap-start"),
    pytest.param(LONDON, date(2026, 3, 29), time(2), utc(2026, 3, 29, 1), id="london-gap-end"),
    pytest.param(LONDON, date(2027, 3, 28), time(1, 30), utc(2027, 3, 28, 1), id="london-gap-27"),
    pytest.param(
        LONDON, date(2026, 10, 25), time(1, 30), utc(2026, 10, 25, 0, 30), id="london-fold-26"
    ),
    pytest.param(
        LONDON, date(2027, 10, 31), time(1, 30), utc(2027, 10, 31, 0, 30), id="london-fold-27"
    ),
    pytest.param(LONDON, date(2026, 10, 25), time(7), utc(2026, 10, 25, 7), id="london-autumn"),
    pytest.param(NEW_YORK, date(2026, 3, 7), time(7), utc(2026, 3, 7, 12), id="ny-est"),
    pytest.param(NEW_YORK, date(2026, 3, 8), time(7), utc(2026, 3, 8, 11), id="ny-edt"),
    pytest.param(NEW_YORK, date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7), id="ny-gap-26"),
    pytest.param(NEW_YORK, date(2027, 3, 14), time(2, 30), utc(2027, 3, 14, 7), id="ny-gap-27"),
    pytest.param(
        NEW_YORK, date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30), id="ny-fold-26"
    ),
    pytest.param(
        NEW_YORK, date(2027, 11, 7), time(1, 30), utc(2027, 11, 7, 5, 30), id="ny-fold-27"
    ),
    pytest.param(
        LORD_HOWE, date(2026, 4, 5), time(1, 45), utc(2026, 4, 4, 14, 45), id="lhi-fold-26"
    ),
    pytest.param(
        LORD_HOWE, date(2027, 4, 4), time(1, 45), utc(2027, 4, 3, 14, 45), id="lhi-fold-27"
    ),
    pytest.param(
        LORD_HOWE, date(2026, 10, 4), time(2, 15), utc(2026, 10, 3, 15, 30), id="lhi-gap-26"
    ),
    pytest.param(
        LORD_HOWE, date(2027, 10, 3), time(2, 15), utc(2027, 10, 2, 15, 30), id="lhi-gap-27"
    ),
    pytest.param(LORD_HOWE, date(2026, 10, 3), time(7), utc(2026, 10, 2, 20, 30), id="lhi-winter"),
    pytest.param(LORD_HOWE, date(2026, 10, 5), time(7), utc(2026, 10, 4, 20), id="lhi-summer"),
    pytest.param(CHATHAM, date(2026, 4, 5), time(3), utc(2026, 4, 4, 13, 15), id="chatham-fold-26"),
    pytest.param(CHATHAM, date(2027, 4, 4), time(3), utc(2027, 4, 3, 13, 15), id="chatham-fold-27"),
    pytest.param(CHATHAM, date(2026, 9, 27), time(3), utc(2026, 9, 26, 14), id="chatham-gap-26"),
    pytest.param(
        CHATHAM, date(2027, 9, 26), time(3, 30), utc(2027, 9, 25, 14), id="chatham-gap-27"
    ),
    pytest.param(
        CHATHAM, date(2026, 9, 28), time(7), utc(2026, 9, 27, 17, 15), id="chatham-summer"
    ),
    pytest.param(
        KOLKATA, date(2026, 3, 29), time(7), utc(2026, 3, 29, 1, 30), id="kolkata-london-spring"
    ),
    pytest.param(
        KOLKATA, date(2026, 3, 8), time(2, 30), utc(2026, 3, 7, 21), id="kolkata-ny-spring"
    ),
    pytest.param(
        KOLKATA, date(2027, 10, 31), time(1, 30), utc(2027, 10, 30, 20), id="kolkata-london-fall"
    ),
]


@pytest.mark.parametrize(("zone", "local_date", "wall_time", "expected"), RESOLVE_CASES)
def test_resolve_local(zone: str, local_date: date, wall_time: time, expected: datetime) -> None:
    result = resolve_local(zone, local_date, wall_time)
    assert result == expected
    assert result.tzinfo is UTC


NEXT_CASES = [
    # zone, wall time, after (UTC), expected next instant (UTC)
    # Europe/London
    pytest.param(LONDON, time(7), utc(2026, 3, 27, 12), utc(2026, 3, 28, 7), id="london-normal"),
    pytest.param(
        LONDON, time(7), utc(2026, 3, 28, 7), utc(2026, 3, 29, 6), id="london-exact-next-day"
    ),
    pytest.param(LONDON, time(1, 30), utc(2026, 3, 28, 12), utc(2026, 3, 29, 1), id="london-gap"),
    pytest.param(
        LONDON, time(1, 30), utc(2027, 3, 27, 12), utc(2027, 3, 28, 1), id="london-gap-27"
    ),
    pytest.param(
        LONDON, time(1, 30), utc(2026, 10, 24, 12), utc(2026, 10, 25, 0, 30), id="london-fold"
    ),
    pytest.param(
        LONDON,
        time(1, 30),
        utc(2026, 10, 25, 0, 45),
        utc(2026, 10, 26, 1, 30),
        id="london-fold-between",
    ),
    pytest.param(
        LONDON,
        time(1, 30),
        utc(2026, 10, 25, 0, 30),
        utc(2026, 10, 26, 1, 30),
        id="london-fold-exact",
    ),
    pytest.param(
        LONDON,
        time(1, 30),
        utc(2027, 10, 31, 1),
        utc(2027, 11, 1, 1, 30),
        id="london-fold-between-27",
    ),
    # America/New_York
    pytest.param(NEW_YORK, time(7), utc(2026, 3, 7, 13), utc(2026, 3, 8, 11), id="ny-normal"),
    pytest.param(NEW_YORK, time(2, 30), utc(2026, 3, 7, 12), utc(2026, 3, 8, 7), id="ny-gap"),
    pytest.param(NEW_YORK, time(2, 30), utc(2027, 3, 13, 12), utc(2027, 3, 14, 7), id="ny-gap-27"),
    pytest.param(
        NEW_YORK, time(1, 30), utc(2026, 10, 31, 12), utc(2026, 11, 1, 5, 30), id="ny-fold"
    ),
    pytest.param(
        NEW_YORK, time(1, 30), utc(2026, 11, 1, 6), utc(2026, 11, 2, 6, 30), id="ny-fold-between"
    ),
    pytest.param(
        NEW_YORK,
        time(1, 30),
        utc(2027, 11, 7, 6, 15),
        utc(2027, 11, 8, 6, 30),
        id="ny-fold-between-27",
    ),
    pytest.param(
        NEW_YORK, time(7), utc(2026, 11, 1, 12), utc(2026, 11, 2, 12), id="ny-exact-next-day"
    ),
    # Australia/Lord_Howe: 30-minute shift, southern hemisphere
    pytest.param(
        LORD_HOWE, time(1, 45), utc(2026, 4, 4, 12), utc(2026, 4, 4, 14, 45), id="lhi-fold"
    ),
    pytest.param(
        LORD_HOWE,
        time(1, 45),
        utc(2026, 4, 4, 15, 5),
        utc(2026, 4, 5, 15, 15),
        id="lhi-fold-between",
    ),
    pytest.param(
        LORD_HOWE,
        time(1, 45),
        utc(2027, 4, 3, 15),
        utc(2027, 4, 4, 15, 15),
        id="lhi-fold-between-27",
    ),
    pytest.param(
        LORD_HOWE, time(2, 15), utc(2026, 10, 3, 12), utc(2026, 10, 3, 15, 30), id="lhi-gap"
    ),
    pytest.param(
        LORD_HOWE, time(2, 15), utc(2027, 10, 2, 12), utc(2027, 10, 2, 15, 30), id="lhi-gap-27"
    ),
    pytest.param(
        LORD_HOWE, time(7), utc(2026, 10, 2, 20, 30), utc(2026, 10, 3, 20), id="lhi-exact"
    ),
    # Pacific/Chatham: +12:45 / +13:45
    pytest.param(CHATHAM, time(3), utc(2026, 4, 4, 12), utc(2026, 4, 4, 13, 15), id="chatham-fold"),
    pytest.param(
        CHATHAM, time(3), utc(2026, 4, 4, 14), utc(2026, 4, 5, 14, 15), id="chatham-fold-between"
    ),
    pytest.param(
        CHATHAM, time(3), utc(2027, 4, 3, 13, 30), utc(2027, 4, 4, 14, 15), id="chatham-fold-27"
    ),
    pytest.param(CHATHAM, time(3), utc(2026, 9, 26, 12), utc(2026, 9, 26, 14), id="chatham-gap"),
    pytest.param(
        CHATHAM, time(3, 30), utc(2027, 9, 25, 12), utc(2027, 9, 25, 14), id="chatham-gap-27"
    ),
    pytest.param(
        CHATHAM, time(7), utc(2026, 9, 26, 18), utc(2026, 9, 27, 17, 15), id="chatham-normal"
    ),
    # Asia/Kolkata: no DST, +05:30
    pytest.param(
        KOLKATA, time(7), utc(2026, 3, 28, 12), utc(2026, 3, 29, 1, 30), id="kolkata-normal"
    ),
    pytest.param(
        KOLKATA, time(7), utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 1, 30), id="kolkata-exact"
    ),
    pytest.param(
        KOLKATA, time(2, 30), utc(2026, 3, 7, 12), utc(2026, 3, 7, 21), id="kolkata-ny-gap-time"
    ),
    pytest.param(
        KOLKATA, time(1, 30), utc(2026, 10, 25, 0), utc(2026, 10, 25, 20), id="kolkata-fold-time"
    ),
]


@pytest.mark.parametrize(("zone", "wall_time", "after", "expected"), NEXT_CASES)
def test_next_morning(zone: str, wall_time: time, after: datetime, expected: datetime) -> None:
    result = next_morning(zone, wall_time, after)
    assert result == expected
    assert result.tzinfo is UTC


def test_next_morning_accepts_after_in_any_zone() -> None:
    after = datetime(2026, 3, 28, 13, 0, tzinfo=timezone(timedelta(hours=1)))  # 12:00 UTC
    assert next_morning(LONDON, time(1, 30), after) == utc(2026, 3, 29, 1)


ZONE_CHANGE_CASES = [
    # same `after` (2026-06-01 00:00 UTC) and wall time 07:00, different zones
    pytest.param(LONDON, utc(2026, 6, 1, 6), id="london"),
    pytest.param(NEW_YORK, utc(2026, 6, 1, 11), id="new-york"),
    pytest.param(KOLKATA, utc(2026, 6, 1, 1, 30), id="kolkata"),
    pytest.param(LORD_HOWE, utc(2026, 6, 1, 20, 30), id="lord-howe"),
    pytest.param(CHATHAM, utc(2026, 6, 1, 18, 15), id="chatham"),
]


@pytest.mark.parametrize(("zone", "expected"), ZONE_CHANGE_CASES)
def test_change_of_zone_changes_instant(zone: str, expected: datetime) -> None:
    assert next_morning(zone, time(7), utc(2026, 6, 1)) == expected


def test_zone_change_instants_all_differ() -> None:
    results = {next_morning(zone, time(7), utc(2026, 6, 1)) for zone in ZONES}
    assert len(results) == len(ZONES)


@pytest.mark.parametrize(
    ("zone", "instant", "expected_local"),
    [
        pytest.param(LONDON, utc(2026, 3, 29, 1), (date(2026, 3, 29), time(2)), id="london-bst"),
        pytest.param(LONDON, utc(2026, 10, 25, 1), (date(2026, 10, 25), time(1)), id="london-gmt"),
        pytest.param(KOLKATA, utc(2026, 1, 1), (date(2026, 1, 1), time(5, 30)), id="kolkata"),
        pytest.param(CHATHAM, utc(2026, 1, 1), (date(2026, 1, 1), time(13, 45)), id="chatham"),
    ],
)
def test_local_now(zone: str, instant: datetime, expected_local: tuple[date, time]) -> None:
    result = local_now(zone, instant)
    assert (result.date(), result.time()) == expected_local
    assert result.tzinfo == ZoneInfo(zone)
    # PEP 495: an inter-zone == is always False for a repeated (fold) wall time, so go via UTC
    assert result.astimezone(UTC) == instant


NAIVE = datetime(2026, 1, 1, 12)  # noqa: DTZ001 - deliberately naive


def test_local_now_rejects_naive() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        local_now(LONDON, NAIVE)


def test_next_morning_rejects_naive() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_morning(LONDON, time(7), NAIVE)


@given(
    zone=st.sampled_from(ZONES),
    local_date=st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    minute=st.integers(0, 24 * 60 - 1),
)
def test_resolve_local_reads_the_wall_time_or_is_the_transition(
    zone: str, local_date: date, minute: int
) -> None:
    wall = time(minute // 60, minute % 60)
    result = resolve_local(zone, local_date, wall)
    tz = ZoneInfo(zone)
    local = result.astimezone(tz)
    if local.replace(tzinfo=None) == datetime.combine(local_date, wall):
        # astimezone marks the second occurrence of a repeated wall time with fold=1
        assert local.fold == 0
    else:
        # a gap: the result is exactly the transition instant, just past the missing wall time
        before = (result - timedelta(seconds=1)).astimezone(tz)
        assert before.utcoffset() != local.utcoffset()
        assert before.replace(tzinfo=None) < datetime.combine(local_date, wall)
        assert local.replace(tzinfo=None) > datetime.combine(local_date, wall)


@given(
    zone=st.sampled_from(ZONES),
    after=st.datetimes(
        datetime(2026, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
        datetime(2027, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
    minute=st.integers(0, 24 * 60 - 1),
)
def test_next_morning_is_strictly_after_and_within_a_day_or_so(
    zone: str, after: datetime, minute: int
) -> None:
    result = next_morning(zone, time(minute // 60, minute % 60), after)
    assert after < result <= after + timedelta(hours=26)
