"""Local words for health services: plain words for everyone, a country's own only there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.domain.models import Reason
from bot.texts.content import Content, content_problems, load_content
from content import CONTENT_ROOT
from tests.unit.test_clinical_wording import all_texts

# The UK's own terms (NHS), wrong or unknown elsewhere.
UK_ONLY = ("GP", "111", "optician", "eye casualty")


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(CONTENT_ROOT, "en")


def test_plain_words_name_no_uk_service(content: Content) -> None:
    found = {
        key: [word for word in UK_ONLY if word in text]
        for key, text in all_texts(content)
        if any(word in text for word in UK_ONLY)
    }
    assert found == {}


@pytest.mark.parametrize("country", [None, "US", "VN", "NO"])
def test_a_country_without_its_own_words_gets_the_plain_ones(
    content: Content, country: str | None
) -> None:
    assert content.local(country) is content


def test_the_uk_gets_its_own_words_in_the_same_texts(content: Content) -> None:
    uk = content.local("GB")
    assert "See a GP <b>today</b>" in uk.redflags.see_doctor[Reason.PAINFUL]
    assert "contact your GP, or NHS 111" in uk.ui.urgent_none
    assert "eye casualty" in uk.redflags.see_doctor[Reason.EYE_REDNESS_OR_DISCHARGE]
    assert "See a doctor <b>today</b>" in content.redflags.see_doctor[Reason.PAINFUL]


def _terms_dir(tmp_path: Path, countries: str) -> Path:
    folder = Path(shutil.copytree(CONTENT_ROOT / "en", tmp_path / "en"))
    terms = folder / "terms.yaml"
    text = terms.read_text("utf-8")
    terms.write_text(text[: text.index("countries:")] + countries, "utf-8")
    return folder


def test_an_unquoted_country_code_that_yaml_reads_as_false_is_refused(tmp_path: Path) -> None:
    folder = _terms_dir(tmp_path, 'countries:\n  NO:\n    doctor: "a fastlege"\n')
    assert any(p.startswith("terms.yaml: countries") for p in content_problems(folder))


def test_a_countrys_words_are_checked_in_every_text(tmp_path: Path) -> None:
    folder = _terms_dir(tmp_path, 'countries:\n  "IE":\n    doctor: "a <b>GP"\n')
    assert "terms.yaml: countries.IE.doctor" in "\n".join(content_problems(folder))
