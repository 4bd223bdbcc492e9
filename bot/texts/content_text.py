"""The rules every content string must pass, and rendering (ARCHITECTURE §6: escaped user text).

Every string is a template rendered with `str.format_map`; the `Text` marker on a field says what
kind of text it is (message, caption, button label, ...) and which `{placeholders}` it may use.
"""

from __future__ import annotations

import html
import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, GetCoreSchemaHandler, ValidationError
from pydantic_core import CoreSchema, InitErrorDetails, PydanticCustomError, core_schema

from bot.texts.telegram_html import html_problem, utf16_length, visible_length, visible_text


@dataclass(frozen=True)
class Kind:
    """Where a text is used, which decides its limit and whether it is HTML."""

    name: str
    limit: int
    html: bool


MESSAGE = Kind("message", 4096, html=True)
CAPTION = Kind("caption", 1024, html=True)
BUTTON = Kind("button label", 64, html=False)
COMMAND = Kind("command description", 256, html=False)
TOAST = Kind("notification", 200, html=False)  # answerCallbackQuery text
PHRASE = Kind("phrase", 256, html=False)  # plain text inserted into another template

# Sample values used to render templates during validation; long enough to catch overflows.
SAMPLES: Mapping[str, str] = {
    "bedtime": "23:30",
    "checkins": "7",
    "day": "7",
    "days_done": "7",
    "days_since_onset": "21",
    "first_day_note": "Your first day starts tomorrow morning, at your usual wake time.",
    "number": "112 / 911 / 999",
    # the emergency warning signs, one line each (guards.py: /urgent in a group)
    "signs": "🚨 Sudden weakness or numbness may be a stroke. Call emergency services now.\n" * 5,
    "query": "Q" * 64,
    "start_date": "Wednesday 30 September",
    "text": "T" * 64,
    "time": "23:30",
    "title": "Day title " * 6,
    "total": "7",
    "trend": "about the same",
    "wake": "06:45",
    "zone": "America/Argentina/ComodRivadavia",
    "local_time": "23:30",
    "country": "South Georgia & the South Sandwich Islands",
    # insight (the /progress chart, trigger patterns, the week's summary, the doctor's PDF)
    "first": "Wed 30 Sep",
    "last": "Wed 30 Sep",
    "date": "Wed 30 Sep",
    "episodes": "about 12 twitching episodes, the longest lasting non-stop",
    "sleep": "8.5",
    "caffeine": "4",
    "stress": "5",
    "count": "12",
    "duration": "non-stop",
    "factor": "3 or more caffeinated drinks",
    "mean_with": "10.7",
    "mean_without": "10.7",
    "days_with": "21",
    "days_without": "21",
    "first_day": "1",
    "last_day": "7",
    "done": "7",
    "answer": "A" * BUTTON.limit,  # a button label shown back (the morning's sleep answer)
    "answers": "Eyelid or face drooping, Slurred or muddled speech, Sudden weakness or numbness",
    "doctors": "a GP (your family doctor) and an optician (optometrist) or a GP",
    "start": "2026-09-30",
    "onset": "2026-09-30",
    # logged episodes (twitch.yaml)
    "before": "coffee or tea",
    "where": "somewhere else in my body",
    "usual": "somewhere else in my body",
    "cap": "200",
    "button": "⚡ Twitching right now, log it",
    "end": "23:00",
    "needed": "12",
    "days": "21",
    # operators (admin.py: /stats)
    "scheduled": "1000000",
    "lag": "86400",
    "parked": "1000000",
    "who": " ".join(["0123456789ab"] * 20),  # SHOWN_PARKED pseudonyms (bot/features/admin.py)
}


class Html(str):
    """Already-safe Telegram HTML: `render` inserts it as is instead of escaping it."""

    __slots__ = ()


def render(template: str, **values: str | int) -> str:
    """Fill `template`, HTML-escaping every value (except `Html`) so it cannot break the markup."""
    safe = {k: v if isinstance(v, Html) else html.escape(str(v)) for k, v in values.items()}
    return template.format_map(safe)


def render_plain(template: str, **values: str | int) -> str:
    """Fill a plain-text template (button labels, notifications): values go in unescaped."""
    return template.format_map({k: str(v) for k, v in values.items()})


def placeholders(template: str) -> list[str]:
    """The `{names}` a template uses; raises ValueError on anything but plain `{name}`."""
    names: list[str] = []
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise ValueError(f"placeholder {{{name}}} must be a plain {{name}}")
        names.append(name)
    return names


def text_problem(
    template: str, kind: Kind, allowed: Iterable[str] = (), need: Iterable[str] = ()
) -> str | None:
    """The first problem with a template of this kind, or None."""
    if not template.strip():
        return "text is empty"
    try:
        used = set(placeholders(template))
    except ValueError as exc:
        return f"bad template: {exc} (write {{{{ and }}}} for literal braces)"
    allowed_set = set(allowed)
    unknown = sorted(used - allowed_set)
    if unknown:
        hint = ", ".join(f"{{{n}}}" for n in sorted(allowed_set)) or "none"
        return f"unknown placeholder {{{unknown[0]}}}; allowed here: {hint}"
    missing = sorted(set(need) - used)
    if missing:
        return f"missing placeholder {{{missing[0]}}}"
    return _rendered_problem(template, kind, allowed_set)


def _rendered_problem(template: str, kind: Kind, allowed: set[str]) -> str | None:
    sample = {name: SAMPLES.get(name, "X" * 32) for name in allowed}
    if kind.html:
        rendered = render(template, **sample)
        problem = html_problem(rendered)
        if problem is not None:
            return f"invalid Telegram HTML: {problem}"
        length = visible_length(rendered)
    else:
        rendered = render_plain(template, **sample)
        if visible_text(rendered) != rendered:
            return f"a {kind.name} is plain text; HTML tags or entities would show literally"
        length = utf16_length(rendered)
    if length > kind.limit:
        return f"text is {length} characters; the limit is {kind.limit} for a {kind.name}"
    return None


class Text:
    """Field metadata: a template of `kind` that may use the `allowed` placeholders."""

    __slots__ = ("kind", "allowed", "need")

    def __init__(self, kind: Kind, *allowed: str, need: Sequence[str] = ()) -> None:
        self.kind = kind
        self.allowed = frozenset(allowed) | frozenset(need)
        self.need = frozenset(need)

    def __repr__(self) -> str:
        return f"Text({self.kind.name!r}, allowed={sorted(self.allowed)}, need={sorted(self.need)})"

    def check(self, value: str) -> str:
        problem = text_problem(value, self.kind, self.allowed, self.need)
        if problem is not None:
            raise PydanticCustomError("content_text", "{problem}", {"problem": problem})
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))


def _short_id(value: str) -> str:
    if not (1 <= len(value) <= 8 and value.isascii() and value.replace("_", "a").isalnum()):
        raise PydanticCustomError("content_id", "ids are 1 to 8 characters of a-z, 0-9 or _")
    if value != value.lower():
        raise PydanticCustomError("content_id", "ids are lower case")
    return value


Message = Annotated[str, Text(MESSAGE)]
Caption = Annotated[str, Text(CAPTION)]
Button = Annotated[str, Text(BUTTON)]
Command = Annotated[str, Text(COMMAND)]
Toast = Annotated[str, Text(TOAST)]
Phrase = Annotated[str, Text(PHRASE)]
ShortId = Annotated[str, AfterValidator(_short_id)]


class ContentModel(BaseModel):
    """Base for content files: unknown keys fail, and nothing can be changed after loading."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Loc = tuple[str | int, ...]
Problem = tuple[Loc, str]
_T = TypeVar("_T")


def _details(problems: Sequence[Problem], value: object) -> list[InitErrorDetails]:
    return [
        InitErrorDetails(
            type=PydanticCustomError("content", "{problem}", {"problem": message}),
            loc=loc,
            input=value,
        )
        for loc, message in problems
    ]


def raise_problems(title: str, problems: Sequence[Problem], value: object) -> None:
    """Raise one ValidationError carrying every problem at its own location (no-op if none)."""
    if problems:
        raise ValidationError.from_exception_data(title, _details(problems, value))


def validate_with(handler: Callable[[Any], _T], value: Any, problems: list[Problem]) -> _T:
    """Run pydantic's own validation and report `problems` with its errors, so none hides another.

    Cross-field checks run on the raw data for this reason: an `after` validator would only run
    once everything else in the model is valid.
    """
    try:
        result = handler(value)
    except ValidationError as exc:
        inner = [
            InitErrorDetails(
                type=PydanticCustomError(e["type"], "{problem}", {"problem": e["msg"]}),
                loc=e["loc"],
                input=e["input"],
            )
            for e in exc.errors()
        ]
        details = [*inner, *_details(problems, value)]
        raise ValidationError.from_exception_data("content", details) from None
    raise_problems("content", problems, value)
    return result


def dicts(value: object) -> list[tuple[int, dict[str, Any]]]:
    """The mappings in a raw list, with their indexes (anything else is pydantic's to report)."""
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, dict)]


def duplicate_ids(items: list[tuple[int, dict[str, Any]]], prefix: Loc) -> list[Problem]:
    """A problem for every raw item whose `id` was already used earlier in the same list."""
    seen: set[object] = set()
    problems: list[Problem] = []
    for index, item in items:
        item_id = item.get("id")
        if item_id in seen:
            problems.append(((*prefix, index, "id"), f"duplicate id {item_id!r}"))
        seen.add(item_id)
    return problems
