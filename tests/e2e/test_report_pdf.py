"""The week's summary from the scheduler after day 7, and the doctor's PDF from /export."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader

from devtools.emulator.rules import MAX_DOCUMENT_BYTES, MAX_TEXT
from tests.e2e.harness import USER, Harness
from tests.e2e.steps import check_in_week, documents, enrol, pdf_text

DAY_8_MORNING = datetime(2026, 3, 27, 7, 5, tzinfo=UTC)  # London is on GMT until 29 March
PDF_NAME = "twitchcare-doctor-report.pdf"


async def test_the_week_summary_arrives_from_the_scheduler(bot: Harness) -> None:
    await enrol(bot)
    await check_in_week(bot)
    profile = await bot.store.get_profile(USER)
    assert profile is not None
    assert [r.value for r in profile.advised_reasons] == ["painful"]  # advised on day 2
    before = len(bot.messages())

    await bot.run_until(DAY_8_MORNING, step=timedelta(minutes=5))

    sent = bot.messages()[before:]
    assert sent, "no summary was sent on the morning after day 7"
    assert all(len(m.text) <= MAX_TEXT for m in sent)
    summary = "\n".join(m.text for m in sent)
    assert "You've finished the 7-day plan." in summary
    # What changed from day 1 to day 7
    assert "From day 1 to day 7" in summary
    assert (
        "Day 1 (Fri 20 Mar): about 8 twitching episodes, the longest lasting minutes; "
        "slept 5.5 h; caffeinated drinks: 4; stress 4 of 5." in summary
    )
    assert "Day 7 (Thu 26 Mar): no twitching; slept 8.5 h" in summary
    # Which plan steps were done
    assert "Plan steps with a check-in: 7 of 7" in summary
    assert "Day 4: Rest your eyes" in summary
    # Trigger patterns: caffeine days 8, 8, 4 episodes against 2, 2, 2, 0
    assert (
        "On days with 3 or more caffeinated drinks, you logged more twitching: about 6.7 "
        "episodes a day, against 1.5 on other days (3 days with it, 4 without)." in summary
    )
    assert "Days with less than 6 hours of sleep: not enough data yet" in summary
    assert "doesn't show what causes your twitching" in summary
    # Every red-flag answer and the advice given; what next
    assert "Sat 21 Mar (day 2): Pain with the twitch" in summary
    assert "The twitch hurts. See a GP today" in summary
    assert "Please see a GP. The advice above says how soon." in summary


async def test_export_sends_a_doctor_pdf_with_the_dates_and_red_flags(bot: Harness) -> None:
    await enrol(bot)
    await check_in_week(bot)
    await bot.run_until(DAY_8_MORNING, step=timedelta(minutes=5))

    await bot.send("/export")

    report = documents(bot)[PDF_NAME]
    assert report.document is not None
    data = report.document.data
    assert data.startswith(b"%PDF-")
    assert 0 < len(data) <= MAX_DOCUMENT_BYTES
    assert report.caption is not None
    assert "doctor" in report.caption
    assert len(PdfReader(io.BytesIO(data)).pages) == 1  # a week is a one-pager
    text = pdf_text(report)
    assert "Twitching diary to show a doctor" in text
    # The headline: onset ("Yesterday" at enrolment) and duration, the trend, the signs
    assert "Twitching began 2026-03-19: 8 days so far." in text
    assert "Trend from plan day 1 to day 7: better." in text
    assert "Diary 2026-03-20 to 2026-03-26. Day 1 of the plan: 2026-03-20." in text
    assert "Pain with the twitch yes: 2026-03-21" in text
    assert "Confusion no" in text
    assert "The twitch hurts. See a GP today" in text
    for day in range(20, 27):
        assert f"2026-03-{day}" in text
    assert "2026-03-20 1 Eyelid 8 minutes 5.5 4 4" in text  # the first row of the table
    assert "No episodes were logged as they happened." in text
    assert "This is not a diagnosis." in text
