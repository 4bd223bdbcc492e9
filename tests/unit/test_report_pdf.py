"""The doctor's PDF, rendered for real and read back with poppler (a dev prerequisite, see the
README's test section): one page for a week, every label and value extractable, only embedded
TrueType fonts, and a 42-day diary on at most two well-filled pages."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from bench.report_pdf import Sample, render, sample_report
from bot.domain.episodes import Before, Episode
from bot.domain.localtime import local_now
from bot.domain.models import TwitchLocation
from bot.texts.content import render_plain
from bot.texts.insight_text import advice_lines, red_flag_names
from bot.views import report_facts
from bot.views.charts import printable

POPPLER = ("pdfinfo", "pdftotext", "pdffonts")


def _poppler(tool: str, *args: str) -> str:
    path = shutil.which(tool)
    assert path is not None, (
        f"{tool} is missing: install poppler-utils (apt-get install poppler-utils), "
        "a prerequisite of the test suite (README, Development)"
    )
    return subprocess.run([path, *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def week() -> Sample:
    return sample_report(7)


@pytest.fixture(scope="module")
def week_pdf(week: Sample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "week.pdf"
    path.write_bytes(render(week))
    return path


def _pages(path: Path) -> int:
    match = re.search(r"^Pages:\s+(\d+)$", _poppler("pdfinfo", str(path)), re.MULTILINE)
    assert match is not None
    return int(match.group(1))


def _text(path: Path, *pages: str) -> str:
    """The text as poppler extracts it, each run of spaces as one (columns are spaced out)."""
    text = _poppler("pdftotext", "-layout", *pages, str(path), "-")
    return "\n".join(" ".join(line.split()) for line in text.splitlines())


def _flat(text: str) -> str:
    """Text across line breaks, for wrapped paragraphs and table cells."""
    return " ".join(text.split())


def test_a_week_is_one_page(week_pdf: Path) -> None:
    assert _pages(week_pdf) == 1


def test_only_embedded_truetype_fonts(week_pdf: Path) -> None:
    rows = _poppler("pdffonts", str(week_pdf)).splitlines()[2:]
    assert rows, "no fonts listed"
    for row in rows:
        assert "Type 3" not in row, row
        assert "TrueType" in row, row
        assert " yes yes yes " in row, f"not embedded, subset, with a Unicode map: {row}"


def test_the_headline_comes_first_with_onset_trend_signs_and_advice(
    week: Sample, week_pdf: Path
) -> None:
    text = _text(week_pdf)
    words = week.content.ui.insight
    lines = [line for line in text.splitlines() if line]
    assert lines[0].startswith(words.pdf_title)
    assert lines[1] == "Twitching began 2026-02-27: 10 days so far."
    assert lines[2] == "Trend from plan day 1 to day 7: better."
    assert "Diary 2026-03-02 to 2026-03-08. Day 1 of the plan: 2026-03-02." in text
    head = report_facts.headline(week.content, week.profile, week.insight, week.made_at)
    assert len(head.signs) == 13  # the ten check-in signs, two places, a non-stop twitch
    flat = _flat(text)
    for sign in head.signs:  # each name, then its answer on the same line (dates may wrap)
        first_word = sign.answer.split()[0]
        assert re.search(rf"{re.escape(sign.name)} {re.escape(first_word)}", text), sign
        assert all(word in flat for word in sign.answer.split()), sign
    answers = {sign.name: sign.answer for sign in head.signs}
    assert answers["Pain with the twitch"] == "yes: 2026-03-03"
    assert answers["Sudden change in vision"] == "yes: 2026-03-06"  # through /urgent
    assert answers["It hasn't stopped"] == "yes: 2026-03-03, 2026-03-06"
    assert answers["Confusion"] == "no"
    advice = advice_lines(week.content, week.insight.advice)
    assert len(advice) >= 4
    for line in advice:
        assert _flat(printable(line)) in flat


def test_every_day_and_value_is_in_the_table(week: Sample, week_pdf: Path) -> None:
    text = _text(week_pdf)
    flat = _flat(text)
    for heading in report_facts.column_headings(week.content):
        assert all(word in flat for word in heading.split()), heading  # headings may wrap
    assert "Date Plan Where Episodes Longest Sleep Caffeine Stress Warning signs" in text
    # Single-line rows read back cell by cell, in order.
    assert "2026-03-02 1 Eyelid 12 minutes 4.5 4 5 -" in text
    assert "2026-03-04 3 Mouth 4 seconds 6.5 2 3 -" in text
    assert "2026-03-08 7 Eyelid 0 - 8.5 0 1 -" in text
    for point in week.insight.days:
        row = report_facts.day_row(week.content, point)
        for cell in row:
            for word in cell.split():
                assert word in flat, (point.local_date, word)
        for name in red_flag_names(week.content, point.red_flags):
            assert name in flat
    for words in ("Several places on my face", "Somewhere else in my body", "non-stop"):
        assert words in flat
    for value in ("4.5", "5.5", "6.5", "7.5", "8.5"):  # every sleep answer
        assert f" {value} " in text


def test_every_logged_episode_is_listed_with_its_time_trigger_and_place(
    week: Sample, week_pdf: Path
) -> None:
    text = _text(week_pdf)
    flat = _flat(text)
    words = week.content.ui.insight
    assert words.pdf_events_title in text
    assert "21 logged. By time of day: night (0-6 h): 0, morning (6-12 h): 7" in flat
    for episode in week.episodes:
        local = local_now(week.profile.zone or "UTC", episode.at)
        assert f"{local:%H:%M}" in text
    for before in Before:
        assert str(getattr(words.pdf_before, before.value)) in flat
    assert "2026-03-02 07:40 after coffee or tea; 15:10 after screens, Eyelid;" in text


def test_a_busy_log_sums_each_day_up_in_one_row_and_the_week_stays_one_page(
    week: Sample, tmp_path: Path
) -> None:
    """Ten episodes a day would wrap every row over two lines and push the chart off the page;
    a busy day reads as how many, first to last, and the commonest answers with counts."""
    start = week.insight.days[0].local_date
    befores: list[Before | None] = [*Before, None]
    episodes = tuple(
        Episode(
            at=datetime.combine(start + timedelta(days=d), time(8 + k, 5 * k), tzinfo=UTC),
            before=Before.CAFFEINE if k < 3 else befores[k % len(befores)],
            where=TwitchLocation.CHEEK if k % 3 == 0 else None,
        )
        for d in range(7)
        for k in range(10)
    )
    path = tmp_path / "busy.pdf"
    path.write_bytes(render(replace(week, episodes=episodes)))

    assert _pages(path) == 1
    text = _text(path)
    row = "10 logged, 08:00 to 17:45; after coffee or tea (4), when tired (1); Cheek (4)"
    assert text.count(row) == 7
    assert f"{start} {row}" in text
    assert "2026-03-02 07:40 after coffee or tea; 15:10 after screens, Eyelid;" in _text(
        _written(tmp_path / "week.pdf", render(week))
    ), "a day with a few episodes still lists each one"


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_ligatures_do_not_break_extraction(week: Sample, week_pdf: Path) -> None:
    """Every word with ff, fi or fl that the report prints reads back whole ("Caffeine", not
    "Ca eine" as with Type 3 fonts)."""
    flat = _flat(_text(week_pdf))
    head = report_facts.headline(week.content, week.profile, week.insight, week.made_at)
    printed = " ".join(
        [*report_facts.column_headings(week.content), *head.advice, head.onset, head.trend]
    )
    words = {w.strip(".,:;()") for w in printed.split() if re.search("ff|fi|fl", w)}
    assert {"Caffeine", "different"} <= words
    for word in words:
        assert word in flat, word


def test_no_events_says_so(week: Sample, tmp_path: Path) -> None:
    path = tmp_path / "none.pdf"
    path.write_bytes(
        render(Sample(week.content, week.profile, week.insight, week.made_at, episodes=()))
    )
    assert _pages(path) == 1
    assert render_plain(week.content.ui.insight.pdf_events_none) in _text(path)


def test_six_weeks_fill_at_most_two_pages_with_the_headings_repeated(tmp_path: Path) -> None:
    sample = sample_report(42)
    path = tmp_path / "six-weeks.pdf"
    path.write_bytes(render(sample))
    pages = _pages(path)
    assert pages == 2
    last = _text(path, "-f", str(pages), "-l", str(pages))
    assert sample.content.ui.insight.pdf_title in last
    assert "Date Plan Where Episodes Longest Sleep Caffeine" in last  # headings again
    # No near-empty page: the last page carries table rows, the episodes and the chart's room.
    assert len([line for line in last.splitlines() if line.strip()]) >= 30
    assert "2026-04-12" in last
