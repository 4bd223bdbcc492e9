"""One rule, one wording (ARCHITECTURE §4): no text gives an emergency sign weaker advice."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from bot.texts.content import Content, load_content
from content import CONTENT_ROOT

# The five emergency signs of ARCHITECTURE §4, as the texts word them.
EMERGENCY_SIGNS: dict[str, re.Pattern[str]] = {
    "drooping": re.compile(r"droop", re.I),
    "slurred speech": re.compile(r"slurred|muddled speech", re.I),
    "weakness or numbness": re.compile(r"weakness|numb", re.I),
    "confusion": re.compile(r"confus", re.I),
    "vision change": re.compile(r"vision|your sight|sight changes", re.I),
}
# See-a-doctor advice: a booked or same-day visit, not an emergency.
DOCTOR_ADVICE = re.compile(
    r"\bsee (a|an|your) |\bbook|appointment|\bGP\b|optician|eye casualty|eye doctor|"
    r"urgent care|within a day|next few days",
    re.I,
)
EMERGENCY_ADVICE = re.compile(r"emergency|\bcall\b|hospital|\b(112|911|999)\b|\{number\}", re.I)
# A doctor sentence that points back at signs named earlier in the same text.
REFERS_BACK = re.compile(r"\b(any of (those|these)|if so|these signs|those signs)\b", re.I)
# "Sudden" before a sign that is an emergency whether sudden or not.
ONLY_IF_SUDDEN = re.compile(
    r"sudden(ly)?\s+(drooping|slurred)|(droop|slurred)[^.]*\bonly if\b[^.]*sudden", re.I
)
SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(CONTENT_ROOT, "en")


def texts(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in the content with its dotted key."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, BaseModel):
        yield from texts(value.model_dump(), path)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from texts(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from texts(item, f"{path}.{index}")


def all_texts(content: Content) -> list[tuple[str, str]]:
    parts = {
        "plan": content.plan,
        "checkin": content.checkin,
        "redflags": content.redflags,
        "faq": content.faq,
        "guide": content.guide,
        "consent": content.consent,
        "ui": content.ui,
    }
    return [pair for name, part in parts.items() for pair in texts(part, name)]


def weaker_than_the_rule(text: str) -> list[str]:
    """Sentences that give an emergency sign see-a-doctor advice, or water it down."""
    found: list[str] = []
    named_so_far = False
    for sentence in SENTENCE.split(text):
        names_sign = any(p.search(sentence) for p in EMERGENCY_SIGNS.values())
        doctor = DOCTOR_ADVICE.search(sentence) and not EMERGENCY_ADVICE.search(sentence)
        if doctor and (names_sign or (named_so_far and REFERS_BACK.search(sentence))):
            found.append(sentence)
        if ONLY_IF_SUDDEN.search(sentence):
            found.append(sentence)
        named_so_far = named_so_far or names_sign
    return found


def test_no_text_gives_an_emergency_sign_weaker_advice(content: Content) -> None:
    caught = {key: weaker_than_the_rule(text) for key, text in all_texts(content)}
    assert {key: found for key, found in caught.items() if found} == {}


@pytest.mark.parametrize(
    "text",
    [
        "See an optician within a day or two, or the same day if your sight changes.",
        "Watch for weakness or drooping. If you notice any of those, see a doctor.",
        "If you have sudden drooping, call your local emergency number.",
        "Drooping: see a doctor, and call emergency services only if it comes on suddenly.",
    ],
)
def test_the_check_catches_each_way_of_weakening(text: str) -> None:
    assert weaker_than_the_rule(text)


def test_the_check_passes_the_rule_as_written() -> None:
    text = "Drooping can be a stroke. Call emergency services now. For pain, see a doctor today."
    assert weaker_than_the_rule(text) == []


def test_the_footer_names_all_five_emergency_signs(content: Content) -> None:
    footer = content.redflags.footer.lower()
    words = ("droop", "slurred", "weakness", "numbness", "confusion", "vision")
    assert [word for word in words if word not in footer] == []


SOON = re.compile(r"\btoday\b|same day|within|in the next|routine|few days|this week", re.I)


def test_every_see_doctor_reason_says_how_soon(content: Content) -> None:
    vague = [
        reason.value
        for reason, line in content.redflags.see_doctor.items()
        if reason.level.value == "see_doctor" and not SOON.search(line)
    ]
    assert vague == []


@pytest.mark.parametrize(
    "reason",
    ["spreading", "multiple_face_areas", "several_locations", "other_body_part"],
)
def test_spreading_or_several_places_means_the_same_day(content: Content, reason: str) -> None:
    line = content.redflags.see_doctor[reason]  # type: ignore[index]
    assert re.search(r"\btoday\b|same day", line, re.I)
    assert "next few days" not in line
