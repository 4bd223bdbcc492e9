"""Every locale: loaded at start-up, chosen from Telegram's language, and kept in parity with
the default one (issue 17). Parametrised over the shipped locale folders, so each translation
is held to the same checks as soon as it exists."""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest
import yaml

from bot.domain.models import EMERGENCY_REASONS, Profile
from bot.texts.content import ContentError, catalog_problems, load_catalog
from bot.texts.formats import clock_time, long_date, number, short_date, zone_place
from content import CONTENT_ROOT
from tests.factories import make_profile
from tests.locales import DEFAULT, FAKE, MARK, content_root_with, copy_as_fake, shipped_locales

LOCALES = shipped_locales()


def test_the_shipped_content_is_valid_and_in_parity() -> None:
    assert DEFAULT in LOCALES
    assert catalog_problems(CONTENT_ROOT, DEFAULT) == []


def _edit(root: Path, file: str, change: object) -> None:
    path = root / FAKE / file
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")


def _drop_help(d: dict) -> None:  # type: ignore[type-arg]
    del d["commands"]["help"]


def _add_key(d: dict) -> None:  # type: ignore[type-arg]
    d["commands"]["nonsense"] = "Not a command"


def _wrong_placeholder(d: dict) -> None:  # type: ignore[type-arg]
    d["zone_set"] = d["zone_set"].replace("{local_time}", "{time}")


def _button_id(d: dict) -> None:  # type: ignore[type-arg]
    d["questions"][0]["answers"][1]["id"] = "cheeks"


def _answer_value(d: dict) -> None:  # type: ignore[type-arg]
    d["questions"][1]["answers"][2]["value"] = 5


def _fewer_buttons(d: dict) -> None:  # type: ignore[type-arg]
    d["questions"][0]["answers"].pop()


BREAKAGES = [
    ("ui.yaml", _drop_help, "xx/ui.yaml: commands.help: missing key"),
    ("ui.yaml", _add_key, "xx/ui.yaml: commands.nonsense: extra key"),
    ("ui.yaml", _wrong_placeholder, "xx/ui.yaml: zone_set: placeholders {time}, {zone}"),
    ("checkin.yaml", _button_id, "xx/checkin.yaml: questions.0.answers.1.id: is 'cheeks'"),
    ("checkin.yaml", _answer_value, "xx/checkin.yaml: questions.1.answers.2.value: is 5"),
    ("checkin.yaml", _fewer_buttons, "xx/checkin.yaml: questions.0.answers: has 5 items"),
]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("file", "change", "expected"), BREAKAGES)
def test_a_broken_copy_of_each_locale_is_refused_with_file_and_key(
    tmp_path: Path, locale: str, file: str, change: object, expected: str
) -> None:
    root = copy_as_fake(locale, tmp_path)
    assert catalog_problems(root, DEFAULT) == []
    _edit(root, file, change)

    problems = catalog_problems(root, DEFAULT)

    assert any(p.startswith(expected) for p in problems), problems
    with pytest.raises(ContentError, match="xx/"):
        load_catalog(root, DEFAULT)  # start-up refuses it too


@pytest.mark.parametrize("locale", LOCALES)
def test_each_locales_red_flag_texts_name_all_five_emergency_signs(locale: str) -> None:
    redflags = load_catalog(CONTENT_ROOT, DEFAULT).in_locale(locale).redflags
    assert set(redflags.emergency_signs) == EMERGENCY_REASONS
    footer = redflags.footer.casefold()
    assert [w for w in redflags.emergency_signs.values() if w.casefold() not in footer] == []


@pytest.mark.parametrize("locale", LOCALES)
def test_a_locale_whose_footer_drops_a_sign_is_refused(tmp_path: Path, locale: str) -> None:
    root = copy_as_fake(locale, tmp_path)
    signs = yaml.safe_load((root / FAKE / "redflags.yaml").read_text("utf-8"))["emergency_signs"]

    def drop(d: dict) -> None:  # type: ignore[type-arg]
        d["footer"] = d["footer"].replace(signs["confusion"], "")

    _edit(root, "redflags.yaml", drop)
    assert any("does not name the emergency sign" in p for p in catalog_problems(root, DEFAULT))


def test_the_default_locale_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="no content folder for the default locale 'de'"):
        load_catalog(content_root_with(tmp_path), "de")


@pytest.mark.parametrize(
    ("language_code", "locale"),
    [
        ("es-MX", "es"),
        ("es", "es"),
        ("pt-PT", "pt"),
        ("pt-BR", "pt"),
        ("de-AT", "de"),
        ("DE", "de"),
        ("en-US", "en"),
        ("fr", "en"),
        ("zh-hans", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_telegram_language_picks_the_locale(
    tmp_path: Path, language_code: str | None, locale: str
) -> None:
    root = content_root_with(tmp_path, FAKE)
    for name in ("es", "pt", "de"):
        content_root_with(tmp_path / name, FAKE)
        (tmp_path / name / "content" / FAKE).rename(root / name)
    content = load_catalog(root, DEFAULT)
    assert content.locale_for(language_code) == locale
    assert content.in_locale(content.locale_for(language_code)).locale == locale


def test_every_locale_and_its_country_variants_reach_every_other(tmp_path: Path) -> None:
    content = load_catalog(content_root_with(tmp_path, FAKE), DEFAULT)
    marked = content.local("GB").in_locale(FAKE)
    assert marked.locale == FAKE
    assert marked.ui.help.startswith(MARK)
    assert marked.local("GB").in_locale(DEFAULT) is content
    assert content.in_locale("nope") is content  # a stored locale that is gone: the default


def test_an_old_stored_profile_without_a_language_stays_english() -> None:
    stored = make_profile().model_dump(mode="json")
    del stored["locale"]  # written before profiles had a language
    assert Profile.model_validate(stored).locale == "en"


DAY = date(2026, 3, 20)
FORMATS = [
    ("en", "Friday 20 March", "Fri 20 Mar", "07:30", "6.5", "Berlin (Europe)"),
    ("es", "viernes, 20 de marzo", "vie, 20 mar", "7:30", "6,5", "Berlín (Alemania)"),
    ("pt", "sexta-feira, 20 de março", "sex., 20 de mar.", "07:30", "6,5", "Berlim (Alemanha)"),
    ("de", "Freitag, 20. März", "Fr., 20. März", "07:30", "6,5", "Berlin (Deutschland)"),
    ("ru", "пятница, 20 марта", "пт, 20 мар.", "07:30", "6,5", "Берлин (Германия)"),
    (FAKE, "Friday 20 March", "Fri 20 Mar", "07:30", "6.5", "Berlin (Europe)"),
]


@pytest.mark.parametrize(("locale", "long", "short", "clock", "decimal", "zone"), FORMATS)
def test_dates_times_numbers_and_zones_in_each_locale(
    locale: str, long: str, short: str, clock: str, decimal: str, zone: str
) -> None:
    assert long_date(DAY, locale) == long
    assert short_date(DAY, locale) == short
    assert clock_time(time(7, 30), locale) == clock
    assert number(6.5, locale) == decimal
    assert number(8.0, locale) == "8"
    assert zone_place("Europe/Berlin", locale) == zone
