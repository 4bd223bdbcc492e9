"""/progress after a week of check-ins tapped over HTTP: the chart, its caption, the text."""

from __future__ import annotations

import io

from PIL import Image, ImageStat

from bot.texts.content import Content, render
from bot.views.charts import HEIGHT_PX, WIDTH_PX
from devtools.emulator.htmltext import parse_html
from tests.e2e.harness import USER, Harness
from tests.e2e.steps import check_in_week, enrol, photos


def content_of(bot: Harness) -> Content:
    return bot.app.bot_data.services.content


async def test_progress_after_seven_days_sends_a_chart_and_the_summary(bot: Harness) -> None:
    await enrol(bot)  # 08:00 in London, before noon: today is day 1
    await check_in_week(bot)
    stored = await bot.store.list_checkins(USER)
    assert [r.checkin.day for r in stored] == [1, 2, 3, 4, 5, 6, 7]
    assert [r.checkin.episodes_per_day for r in stored] == [8, 8, 4, 2, 2, 2, 0]

    await bot.send("/progress")

    chart, text = bot.messages()[-2:]
    assert chart.photo is not None
    image = Image.open(io.BytesIO(chart.photo.data))
    assert image.format == "PNG"
    assert image.size == (WIDTH_PX, HEIGHT_PX)
    spread = ImageStat.Stat(image.convert("L")).stddev[0]
    assert spread > 20, f"the chart looks blank (grey-level spread {spread:.1f})"

    caption = chart.caption or ""
    assert caption.startswith("📊 Your chart, Fri 20 Mar to Thu 26 Mar, in words:")
    lines = caption.split("\n")[1:]
    assert lines == [
        "Fri 20 Mar, day 1: about 8 twitching episodes, the longest lasting minutes; "
        "slept 5.5 h; caffeinated drinks: 4; stress 4 of 5.",
        "Sat 21 Mar, day 2: about 8 twitching episodes, the longest lasting minutes; "
        "slept 4.5 h; caffeinated drinks: 4; stress 4 of 5. Warning sign reported.",
        "Sun 22 Mar, day 3: about 4 twitching episodes, the longest lasting seconds; "
        "slept 6.5 h; caffeinated drinks: 3; stress 3 of 5.",
        "Mon 23 Mar, day 4: about 2 twitching episodes, the longest lasting seconds; "
        "slept 7.5 h; caffeinated drinks: 1; stress 2 of 5.",
        "Tue 24 Mar, day 5: about 2 twitching episodes, the longest lasting seconds; "
        "slept 7.5 h; caffeinated drinks: 1; stress 2 of 5.",
        "Wed 25 Mar, day 6: about 2 twitching episodes, the longest lasting seconds; "
        "slept 8.5 h; caffeinated drinks: 0; stress 1 of 5.",
        "Thu 26 Mar, day 7: no twitching; slept 8.5 h; caffeinated drinks: 0; stress 1 of 5.",
    ]
    assert len(caption) <= 1024

    ui = content_of(bot).ui
    expected = render(ui.progress_text, days_done=7, checkins=7, trend=ui.trend.better)
    assert text.text == parse_html(expected).text


async def test_progress_without_check_ins_sends_no_chart(bot: Harness) -> None:
    await enrol(bot)
    await bot.send("/progress")
    assert photos(bot) == []
    assert "Check-ins logged: 0" in bot.last().text


async def test_progress_after_the_plan_repeats_the_week_summary(bot: Harness) -> None:
    await enrol(bot)
    await check_in_week(bot)
    bot.advance(days=3)  # well after the plan: /progress shows the summary again
    before = len(bot.messages())

    await bot.send("/progress")

    sent = bot.messages()[before:]
    summary = "\n".join(m.text for m in sent if m.photo is None)
    assert "From day 1 to day 7" in summary
    assert "Plan steps with a check-in: 7 of 7" in summary
    assert "Sat 21 Mar (day 2): Pain with the twitch" in summary
    assert [m for m in sent if m.photo is not None], "the chart is sent too"
    assert sent[-1].text.startswith("📊 Your progress")  # the short summary stays last
