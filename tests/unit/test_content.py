"""Content validation: the shipped English content is clean, and every kind of breakage is named."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from bot.domain.flows import CheckinStep
from bot.domain.models import WARNING_SIGN_FIELDS, CheckIn, Level, Reason
from bot.texts.content import (
    FILES,
    Content,
    ContentError,
    Html,
    content_problems,
    load_content,
    render,
)
from bot.texts.content_models import WarningSigns
from bot.texts.content_text import SAMPLES, Text, render_plain
from bot.texts.telegram_html import visible_length
from content import CONTENT_ROOT

EN = CONTENT_ROOT / "en"
Edit = Callable[[str], str]


@pytest.fixture(scope="module")
def content() -> Content:
    return load_content(CONTENT_ROOT, "en")


@pytest.fixture
def locale_dir(tmp_path: Path) -> Path:
    """A private copy of content/en to break."""
    return Path(shutil.copytree(EN, tmp_path / "en"))


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, BaseModel):
        yield from _strings(value.model_dump())
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _all_strings(content: Content) -> list[str]:
    parts = (content.plan, content.checkin, content.redflags, content.faq, content.guide)
    return [s for part in (*parts, content.consent, content.ui) for s in _strings(part)]


# --- the shipped content ------------------------------------------------------------------------


def test_shipped_content_has_no_problems() -> None:
    assert content_problems(EN) == []


def test_every_shipped_message_fits_in_one_telegram_message(content: Content) -> None:
    strings = _all_strings(content)
    assert len(strings) > 150
    assert all(visible_length(s) <= 4096 for s in strings)


def test_typed_access(content: Content) -> None:
    assert content.locale == "en"
    assert sorted(content.plan.days) == [1, 2, 3, 4, 5, 6, 7]
    assert "60 minutes" in content.plan.day(3).morning
    assert "4 seconds" in content.plan.day(5).morning
    assert "with a doctor" in content.plan.day(7).morning
    assert "with a GP" in content.local("GB").plan.day(7).morning
    assert content.ui.commands.urgent
    assert "{query}" in content.ui.zone_suggestions
    assert [o.days_ago for o in content.ui.onset_options] == [0, 1, 3, 7, 14, 21]
    assert content.faq.item("stroke").answer
    assert content.guide.section("compress").text
    assert content.consent.consent_button


def test_checkin_questions_follow_the_agreed_order(content: Content) -> None:
    fields = [q.field for q in content.checkin.questions]
    assert fields == [
        "twitch_location",
        "episodes_per_day",
        "worst_duration",
        "sleep_hours",
        "caffeine_drinks",
        "stress_level",
    ]
    steps = content.checkin.steps
    assert isinstance(steps[-1], WarningSigns)
    assert steps[-1].kind == "multi"
    assert {t.field for t in steps[-1].toggles} == set(WARNING_SIGN_FIELDS)
    assert content.checkin.questions[1].value("none") == 0
    longest = content.checkin.step(CheckinStep.LONGEST)
    assert not isinstance(longest, WarningSigns)
    assert longest.skip_when_no_episodes
    assert longest.value_if_skipped == "seconds"
    assert content.checkin.morning_sleep.field == "sleep_hours"


def test_checkin_answers_build_a_valid_checkin(content: Content) -> None:
    answers: dict[str, Any] = {
        q.field: q.answers[-1].value for q in content.checkin.questions if q.answers
    }
    checkin = CheckIn.model_validate({**answers, "day": 1, "days_since_onset": 0})
    assert checkin.episodes_per_day == 12


def test_every_reason_has_a_message_and_emergency_ones_say_so(content: Content) -> None:
    assert set(content.redflags.see_doctor) == set(Reason)
    for reason in Reason:
        message = content.redflags.see_doctor[reason]
        assert message.startswith("🚨") == (reason.level is Level.EMERGENCY)
    assert "{number}" in content.redflags.emergency


def test_shipped_text_leaves_out_the_articles_people_and_figures(content: Content) -> None:
    text = "\n".join(_all_strings(content)).lower()
    for banned in ("chen", "mehta", "sarah", "90%", "%", "seizure", "3 weeks despite"):
        assert banned not in text


def _text_rules(model: type[BaseModel]) -> Iterator[Text]:
    for info in model.model_fields.values():
        yield from (m for m in info.metadata if isinstance(m, Text))
        for arg in (info.annotation, *getattr(info.annotation, "__args__", ())):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                yield from _text_rules(arg)


def test_every_declared_placeholder_has_a_sample_value() -> None:
    declared = {
        name for model in FILES.values() for rule in _text_rules(model) for name in rule.allowed
    }
    assert {"query", "zone", "number", "day", "total"} <= declared
    assert declared <= set(SAMPLES)


# --- render -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        (
            "Hi {name}",
            {"name": "<script>alert(1)</script>"},
            "Hi &lt;script&gt;alert(1)&lt;/script&gt;",
        ),
        ("<b>{zone}</b>", {"zone": "Tom & Jerry"}, "<b>Tom &amp; Jerry</b>"),
        (
            '<a href="{url}">x</a>',
            {"url": 'a" onclick="x'},
            '<a href="a&quot; onclick=&quot;x">x</a>',
        ),
        ("Day {day}", {"day": 3}, "Day 3"),
        ("{note}", {"note": Html("<b>safe</b>")}, "<b>safe</b>"),
    ],
)
def test_render_escapes_every_value(template: str, values: dict[str, Any], expected: str) -> None:
    assert render(template, **values) == expected


def test_render_plain_leaves_values_alone() -> None:
    assert render_plain("Hi {name}", name="A & B") == "Hi A & B"


# --- broken copies ------------------------------------------------------------------------------


def _data(change: Callable[[Any], None]) -> Edit:
    """An edit that loads the YAML, changes the data in place and writes it back."""

    def edit(source: str) -> str:
        data = yaml.safe_load(source)
        change(data)
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)

    return edit


def _replace(old: str, new: str) -> Edit:
    def edit(source: str) -> str:
        assert old in source
        return source.replace(old, new, 1)

    return edit


def _question(data: Any, field: str) -> Any:
    return next(q for q in data["questions"] if q["field"] == field)


def _set(path: str, value: object) -> Callable[[Any], None]:
    """Set a dotted path, e.g. "days.3.morning"; digits index lists or int-keyed mappings."""

    def change(data: Any) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for part in parents:
            data = data[part]
        data[last] = value

    return change


def _delete(path: str) -> Callable[[Any], None]:
    def change(data: Any) -> None:
        *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
        for part in parents:
            data = data[part]
        del data[last]

    return change


BREAKAGES: list[tuple[str, str, Edit, list[str]]] = [
    # (test id, file, edit, expected problems: each a prefix "<file>: <key>: <start of message>")
    ("missing day", "plan.yaml", _data(_delete("days.4")), ["plan.yaml: days: day 4 is missing"]),
    (
        "duplicate day",
        "plan.yaml",
        _replace("  4:\n    title:", "  3:\n    title:"),
        ["plan.yaml: days.3: duplicate key", "plan.yaml: days: day 4 is missing"],
    ),
    (
        "extra day",
        "plan.yaml",
        _data(lambda data: data["days"].update({8: data["days"][7]})),
        ["plan.yaml: days.8: unexpected day"],
    ),
    (
        "missing day next to broken ones",
        "plan.yaml",
        _data(lambda data: data["days"].update({2: {}, 4: None, 5: "x"}) or data["days"].pop(6)),
        [
            "plan.yaml: days: day 6 is missing",
            "plan.yaml: days.2.title: missing key",
            "plan.yaml: days.4: Input should be",
            "plan.yaml: days.5: Input should be",
        ],
    ),
    (
        "unknown field",
        "plan.yaml",
        _data(_set("days.2.tip", "x")),
        ["plan.yaml: days.2.tip: unknown key"],
    ),
    (
        "typo'd key",
        "ui.yaml",
        _replace("\nhelp: |-", "\nhlep: |-"),
        ["ui.yaml: hlep: unknown key", "ui.yaml: help: missing key"],
    ),
    (
        "message over the limit",
        "plan.yaml",
        _data(_set("days.3.morning", "a" * 4120)),
        ["plan.yaml: days.3.morning: text is 4120 characters; the limit is 4096"],
    ),
    (
        "limit counts emoji as two",
        "plan.yaml",
        _data(_set("days.1.why", "👍" * 2049)),
        ["plan.yaml: days.1.why: text is 4098 characters"],
    ),
    (
        "caption over the limit",
        "ui.yaml",
        _data(_set("export_caption", "x" * 1100)),
        ["ui.yaml: export_caption: text is 1100 characters; the limit is 1024"],
    ),
    (
        "button label over the limit",
        "checkin.yaml",
        _data(_set("questions.0.answers.0.label", "x" * 65)),
        ["checkin.yaml: questions.0.answers.0.label: text is 65 characters; the limit is 64"],
    ),
    (
        "command description over the limit",
        "ui.yaml",
        _data(_set("commands.urgent", "x" * 257)),
        ["ui.yaml: commands.urgent: text is 257 characters; the limit is 256"],
    ),
    (
        "unclosed tag",
        "faq.yaml",
        _data(_set("items.1.answer", "<b>Careful")),
        ["faq.yaml: items.1.answer: invalid Telegram HTML: <b> is never closed"],
    ),
    (
        "unescaped ampersand",
        "guide.yaml",
        _data(_set("intro", "Salt & pepper")),
        ["guide.yaml: intro: invalid Telegram HTML: unescaped '&'"],
    ),
    (
        "unsupported tag",
        "consent.yaml",
        _data(_set("disclaimer", "<div>Hi</div>")),
        ["consent.yaml: disclaimer: invalid Telegram HTML: tag <div> is not supported"],
    ),
    (
        "HTML in a button label",
        "faq.yaml",
        _data(_set("items.0.question", "<b>Sleep?</b>")),
        ["faq.yaml: items.0.question: a button label is plain text"],
    ),
    (
        "unknown placeholder",
        "ui.yaml",
        _data(_set("day_header", "Day {dya}")),
        ["ui.yaml: day_header: unknown placeholder {dya}; allowed here: {day}, {title}"],
    ),
    (
        "placeholder where none is allowed",
        "plan.yaml",
        _data(_set("days.1.why", "Hi {name}")),
        ["plan.yaml: days.1.why: unknown placeholder {name}; allowed here: none"],
    ),
    (
        "required placeholder missing",
        "redflags.yaml",
        _data(_set("emergency", "Call now.")),
        ["redflags.yaml: emergency: missing placeholder {number}"],
    ),
    (
        "unbalanced brace",
        "consent.yaml",
        _data(_set("declined", "OK {")),
        ["consent.yaml: declined: bad template"],
    ),
    (
        "format spec in a placeholder",
        "ui.yaml",
        _data(_set("snoozed", "At {time!r}")),
        ["ui.yaml: snoozed: bad template"],
    ),
    ("empty text", "ui.yaml", _data(_set("paused", " ")), ["ui.yaml: paused: text is empty"]),
    (
        "answer value below the field's minimum",
        "checkin.yaml",
        _data(_set("questions.1.answers.0.value", -1)),
        ["checkin.yaml: questions.1.answers.0.value: -1 is not valid for CheckIn.episodes_per_day"],
    ),
    (
        "answer value not in the enum",
        "checkin.yaml",
        _data(_set("questions.0.answers.2.value", "forehead")),
        [
            "checkin.yaml: questions.0.answers.2.value: "
            "'forehead' is not valid for CheckIn.twitch_location"
        ],
    ),
    (
        "answer value above the field's maximum",
        "checkin.yaml",
        _data(_set("questions.5.answers.4.value", 6)),
        ["checkin.yaml: questions.5.answers.4.value: 6 is not valid for CheckIn.stress_level"],
    ),
    (
        "morning sleep value invalid",
        "checkin.yaml",
        _data(_set("morning_sleep.answers.0.value", "lots")),
        [
            "checkin.yaml: morning_sleep.answers.0.value: "
            "'lots' is not valid for CheckIn.sleep_hours"
        ],
    ),
    (
        "question for an unknown field",
        "checkin.yaml",
        _data(_set("questions.4.field", "coffee_cups")),
        ["checkin.yaml: questions.4.field: CheckIn has no field 'coffee_cups'"],
    ),
    (
        "required field never asked",
        "checkin.yaml",
        _data(_delete("questions.5")),
        ["checkin.yaml: questions: no question collects the required CheckIn field 'stress_level'"],
    ),
    (
        "computed field asked",
        "checkin.yaml",
        _data(_set("questions.4.field", "day")),
        ["checkin.yaml: questions.4.field: 'day' is filled in by the bot"],
    ),
    (
        "warning sign asked as a question",
        "checkin.yaml",
        _data(_set("questions.2.field", "painful")),
        ["checkin.yaml: questions.2.field: 'painful' is not kept by a check-in in progress"],
    ),
    (
        "check-in step the bot does not know",
        "checkin.yaml",
        _data(_set("questions.0.id", "wher")),
        ["checkin.yaml: questions.0.id: Input should be 'where', 'count', 'longest'"],
    ),
    (
        "warning sign without a toggle",
        "checkin.yaml",
        _data(_delete("warning_signs.toggles.3")),
        ["checkin.yaml: warning_signs.toggles: no toggle for the warning sign 'confusion'"],
    ),
    (
        "toggle for a non-sign field",
        "checkin.yaml",
        _data(_set("warning_signs.toggles.0.field", "stress_level")),
        [
            "checkin.yaml: warning_signs.toggles.0.field: 'stress_level' is not a warning sign",
            "checkin.yaml: warning_signs.toggles: no toggle for the warning sign 'drooping'",
        ],
    ),
    (
        "skip without a value",
        "checkin.yaml",
        _data(_delete("questions.2.value_if_skipped")),
        ["checkin.yaml: questions.2.value_if_skipped: required when skip_when_no_episodes"],
    ),
    (
        "id too long",
        "checkin.yaml",
        _data(_set("questions.0.answers.0.id", "eyelid_left")),
        ["checkin.yaml: questions.0.answers.0.id: ids are 1 to 8 characters"],
    ),
    (
        "duplicate answer id",
        "checkin.yaml",
        _data(_set("questions.0.answers.1.id", "eyelid")),
        ["checkin.yaml: questions.0.answers.1.id: duplicate id 'eyelid'"],
    ),
    (
        "duplicate faq id",
        "faq.yaml",
        _data(_set("items.1.id", "sleep")),
        ["faq.yaml: items.1.id: duplicate id 'sleep'"],
    ),
    (
        "reason with no message",
        "redflags.yaml",
        _data(_delete("see_doctor.painful")),
        ["redflags.yaml: see_doctor.painful: no message for this red-flag reason"],
    ),
    (
        "emergency reason with no message",
        "redflags.yaml",
        _data(_delete("see_doctor.vision_change")),
        ["redflags.yaml: see_doctor.vision_change: no message"],
    ),
    (
        "unknown reason",
        "redflags.yaml",
        _data(_set("see_doctor.itchy", "Itchy.")),
        ["redflags.yaml: see_doctor.itchy: Input should be"],
    ),
    (
        "missing ui key",
        "ui.yaml",
        _data(_delete("stale_button")),
        ["ui.yaml: stale_button: missing key"],
    ),
    (
        "missing nested ui key",
        "ui.yaml",
        _data(_delete("commands.urgent")),
        ["ui.yaml: commands.urgent: missing key"],
    ),
    (
        "wrong type",
        "ui.yaml",
        _data(_set("onset_options.0.days_ago", "soon")),
        ["ui.yaml: onset_options.0.days_ago: Input should be a valid integer"],
    ),
    (
        "YAML turns an unquoted no into a bool",
        "consent.yaml",
        _data(_set("decline_button", False)),
        ["consent.yaml: decline_button: Input should be a valid string"],
    ),
    (
        "YAML syntax error",
        "plan.yaml",
        _replace("summary:\n", "summary:\n  header: [unclosed\n"),
        ["plan.yaml: (root): YAML syntax error at line"],
    ),
    (
        "empty file",
        "guide.yaml",
        lambda _: "# nothing here\n",
        ["guide.yaml: (root): file is empty"],
    ),
    (
        "not a mapping",
        "faq.yaml",
        lambda _: "- just\n- a list\n",
        ["faq.yaml: (root): Input should be a valid dictionary"],
    ),
]


def _break(locale_dir: Path, file: str, edit: Edit) -> None:
    path = locale_dir / file
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")


def _assert_reported(problems: list[str], expected: list[str]) -> None:
    for prefix in expected:
        assert any(p.startswith(prefix) for p in problems), f"{prefix!r} not in {problems}"


@pytest.mark.parametrize(
    ("file", "edit", "expected"),
    [pytest.param(f, e, x, id=name) for name, f, e, x in BREAKAGES],
)
def test_broken_copy_names_file_and_key(
    locale_dir: Path, file: str, edit: Edit, expected: list[str]
) -> None:
    _break(locale_dir, file, edit)
    problems = content_problems(locale_dir)
    _assert_reported(problems, expected)
    assert all(p.startswith(f"{file}: ") for p in problems), problems


def test_missing_file(locale_dir: Path) -> None:
    (locale_dir / "faq.yaml").unlink()
    assert content_problems(locale_dir) == ["faq.yaml: (root): file is missing"]


def test_problems_point_at_the_line(locale_dir: Path) -> None:
    _break(locale_dir, "plan.yaml", _replace("  why: |-\n      💡", "  why: |-\n      {oops} 💡"))
    [problem] = content_problems(locale_dir)
    line = (locale_dir / "plan.yaml").read_text(encoding="utf-8").splitlines().index("    why: |-")
    assert problem.startswith("plan.yaml: days.1.why: unknown placeholder {oops}")
    assert problem.endswith(f"(line {line + 1})")


def test_every_problem_at_once_is_reported(locale_dir: Path) -> None:
    """One broken thing per file (several in some); nothing hides anything else."""
    chosen = {
        "missing day",
        "typo'd key",
        "answer value not in the enum",
        "button label over the limit",
        "required field never asked",
        "reason with no message",
        "unclosed tag",
        "unescaped ampersand",
        "unbalanced brace",
        "message over the limit",
        "required placeholder missing",
        "unknown reason",
        "duplicate faq id",
        "toggle for a non-sign field",
    }
    expected: list[str] = []
    for name, file, edit, wanted in BREAKAGES:
        if name in chosen:
            _break(locale_dir, file, edit)
            expected += wanted
    problems = content_problems(locale_dir)
    _assert_reported(problems, expected)
    assert len(problems) == len(expected)


def test_load_content_raises_with_every_problem(locale_dir: Path) -> None:
    _break(locale_dir, "ui.yaml", _data(_delete("stale_button")))
    _break(locale_dir, "plan.yaml", _data(_delete("days.7")))
    with pytest.raises(ContentError) as caught:
        load_content(locale_dir.parent, "en")
    [plan, ui] = caught.value.problems
    assert plan.startswith("plan.yaml: days: day 7 is missing")
    assert ui == "ui.yaml: stale_button: missing key"
    assert "2 content problem(s)" in str(caught.value)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("xx", "no content folder for locale 'xx'"), ("../en", "not a locale name")],
)
def test_load_content_rejects_unknown_locales(locale: str, expected: str) -> None:
    with pytest.raises(ContentError, match=expected.replace("(", r"\(")):
        load_content(CONTENT_ROOT, locale)
