"""A person whose Telegram speaks another language is answered in it, end to end (issue 17).

Parametrised over every shipped locale besides English, and over `xx`: English with a mark on
every text, so the flows are proven on a branch where only English exists. Expected texts come
from each locale's own content files, never from strings written here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.models import Reason
from bot.storage.client import RedisClient
from bot.storage.store import Store
from bot.texts.content import Content, load_catalog, render
from bot.texts.emergency_numbers import number_for
from bot.texts.languages import language_name
from bot.texts.telegram_html import visible_text
from bot.views.charts import printable
from devtools.emulator import BotApiEmulator
from devtools.manual_clock import ManualClock
from tests.e2e.harness import START, USER, Harness, running_bot, settings_for
from tests.e2e.steps import documents, enrol, pdf_text, photos
from tests.locales import DEFAULT, FAKE, content_root_with, shipped_locales

# The Telegram language_code each locale's people have: a regional one where there is one.
TELEGRAM_CODES = {"es": "es-MX", "pt": "pt-BR", "de": "de-AT", "ru": "ru", FAKE: FAKE}
LOCALES = [FAKE, *(locale for locale in shipped_locales() if locale != DEFAULT)]


@asynccontextmanager
async def harness_in(
    root: Path, language_code: str, redis_url: str, redis: RedisClient
) -> AsyncIterator[Harness]:
    clock = ManualClock(START)
    async with BotApiEmulator(clock) as emu:
        emu.add_user(USER, first_name="Robin", language_code=language_code)
        settings = settings_for(emu, redis_url).model_copy(update={"content_dir": root})
        async with running_bot(emu, settings, clock) as app:
            yield Harness(emu=emu, app=app, clock=clock, redis=redis, store=Store(redis))


def plain(html: str) -> str:
    return visible_text(html)


async def enrol_in(bot: Harness, content: Content) -> None:
    """Enrol in London (999) by tapping that locale's buttons."""
    await bot.send("/start")
    assert bot.last().text.startswith(plain(content.consent.disclaimer)[:40])
    await bot.tap(content.consent.consent_button)
    await bot.send("london")
    await bot.send("07:00")
    await bot.send("23:00")
    await bot.tap(content.ui.onset_options[1].label)


async def check_in_with_drooping(bot: Harness, content: Content) -> None:
    """A check-in answered with each question's second answer, and the drooping sign."""
    checkin = content.checkin
    await bot.send("/checkin")
    for question in checkin.questions:
        await bot.tap(question.answers[1].label)
    signs = checkin.warning_signs
    droop = next(t for t in signs.toggles if t.field == Reason.DROOPING.value)
    await bot.tap(f"{signs.unchecked_mark} {droop.label}")
    await bot.tap(signs.done_label)


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_person_enrols_checks_in_and_is_warned_in_their_language(
    tmp_path: Path, redis_url: str, redis_client: RedisClient, locale: str
) -> None:
    root = content_root_with(tmp_path, locale)
    content = load_catalog(root, DEFAULT).in_locale(locale)
    async with harness_in(root, TELEGRAM_CODES[locale], redis_url, redis_client) as bot:
        await enrol_in(bot, content)
        profile = await bot.store.get_profile(USER)
        assert profile is not None
        assert profile.locale == locale
        # Enrolled before noon: day 1's morning step comes at once (the sleep question under it).
        assert any(text.startswith(plain(content.plan.day(1).morning)) for text in bot.texts())

        await check_in_with_drooping(bot, content)

        number = number_for(profile)
        assert number == "999"
        call = plain(render(content.redflags.emergency, number=number))
        assert any(text.startswith(call) for text in bot.texts())


async def test_the_command_menu_is_set_in_each_language(
    tmp_path: Path, redis_url: str, redis_client: RedisClient
) -> None:
    root = content_root_with(tmp_path, *LOCALES)
    catalog = load_catalog(root, DEFAULT)
    async with harness_in(root, "en", redis_url, redis_client) as bot:
        for locale, content in catalog.locales.items():
            code = "" if locale == DEFAULT else locale
            menu = dict(bot.emu.commands_for(language_code=code))
            assert menu["language"] == content.ui.commands.language
            assert menu["help"] == content.ui.commands.help


@pytest.mark.parametrize("locale", ["de", FAKE])
async def test_language_switches_mid_plan_and_the_next_nudge_follows(
    locale: str, tmp_path: Path, redis_url: str, redis_client: RedisClient
) -> None:
    """An English person switches to German (and to the marked English) mid-plan."""
    root = content_root_with(tmp_path, locale)
    catalog = load_catalog(root, DEFAULT)
    english, marked = catalog, catalog.in_locale(locale)
    async with harness_in(root, "en", redis_url, redis_client) as bot:
        await enrol(bot)
        await bot.send("/language")
        assert bot.last().text == plain(english.ui.language_prompt)
        await bot.tap(language_name(locale))
        assert bot.last().text == plain(marked.ui.language_set)
        profile = await bot.store.get_profile(USER)
        assert profile is not None
        assert profile.locale == locale

        await bot.send("/help")
        assert bot.last().text == plain(marked.ui.help)
        # The wind-down nudge at 22:00 London time (GMT), then tomorrow's morning step.
        before = len(bot.messages())
        await bot.run_until(START + timedelta(hours=23, minutes=30), step=timedelta(minutes=15))
        sent = [m.text for m in bot.messages()[before:]]
        assert plain(marked.plan.day(1).evening) in sent
        assert any(text.startswith(plain(marked.plan.day(2).morning)) for text in sent)
        assert not any(text.startswith(plain(english.plan.day(2).morning)) for text in sent)


async def test_the_log_button_in_the_old_language_still_logs_after_a_switch(
    tmp_path: Path, redis_url: str, redis_client: RedisClient
) -> None:
    """The ⚡ keyboard the client still shows carries the words of the language it came in."""
    root = content_root_with(tmp_path, FAKE)
    catalog = load_catalog(root, DEFAULT)
    english, marked = catalog, catalog.in_locale(FAKE)
    async with harness_in(root, "en", redis_url, redis_client) as bot:
        await enrol(bot)
        await bot.send("/language")
        await bot.tap(language_name(FAKE))

        await bot.send(english.twitch.button)

        assert len(await bot.store.list_episodes(USER)) == 1
        assert bot.last().text.startswith(plain(marked.twitch.logged).split("{")[0])


async def test_switching_while_asked_for_a_place_asks_again_in_the_new_language(
    tmp_path: Path, redis_url: str, redis_client: RedisClient
) -> None:
    root = content_root_with(tmp_path, FAKE)
    marked = load_catalog(root, DEFAULT).in_locale(FAKE)
    async with harness_in(root, "en", redis_url, redis_client) as bot:
        await bot.send("/language")
        await bot.tap(language_name(FAKE))  # nothing stored before consent: nothing to change
        assert bot.last().text == plain(marked.ui.not_enrolled)

        await bot.send("/start")
        await bot.tap(load_catalog(root, DEFAULT).consent.consent_button)
        await bot.send("/language")
        await bot.tap(language_name(FAKE))
        asked = bot.last()
        assert asked.text == plain(marked.ui.ask_zone)
        assert asked.reply_keyboard is not None
        assert marked.ui.share_location_button in str(asked.reply_keyboard)


@pytest.mark.parametrize("locale", [FAKE, "ru"])
async def test_the_chart_and_the_pdf_draw_the_locales_letters(
    locale: str, tmp_path: Path, redis_url: str, redis_client: RedisClient
) -> None:
    """Russian, and the marked locale (whose mark is Cyrillic): the chart's and the PDF's font
    must draw it, and the PDF's text must read back in those letters."""
    root = content_root_with(tmp_path, locale)
    content = load_catalog(root, DEFAULT).in_locale(locale)
    async with harness_in(root, TELEGRAM_CODES.get(locale, locale), redis_url, redis_client) as bot:
        await enrol_in(bot, content)
        await bot.send("/checkin")
        for question in content.checkin.questions:
            await bot.tap(question.answers[1].label)
        await bot.tap(content.checkin.warning_signs.none_label)
        await bot.send("/progress")
        [chart] = photos(bot)
        assert chart.photo is not None
        (tmp_path / f"chart-{locale}.png").write_bytes(chart.photo.data)
        assert printable(content.ui.insight.chart_title) == plain(content.ui.insight.chart_title)

        await bot.send("/export")
        report = documents(bot)["twitchcare-doctor-report.pdf"]
        text = pdf_text(report)
        assert plain(content.ui.insight.pdf_title) in text
        assert plain(content.ui.insight.pdf_signs_title) in text
