"""Load and validate everything the bot says from `content/<locale>/*.yaml`.

`content_problems` lists every problem as `"<file>: <dotted.key>: <message>"`; `load_content`
raises `ContentError` with that list, or returns a typed `Content`. Nothing happens at import.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import yaml
from babel.core import negotiate_locale
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from bot.texts.content_models import (
    Answer,
    CheckinContent,
    Consent,
    Faq,
    Guide,
    Plan,
    PlanDay,
    Question,
    RedFlags,
    Toggle,
    WarningSigns,
)
from bot.texts.content_parity import parity_problems
from bot.texts.content_terms import Terms, TermsFile, fill_terms
from bot.texts.content_text import Html, render, render_plain
from bot.texts.content_twitch import TwitchContent
from bot.texts.content_ui import Ui
from bot.texts.content_webapp import WebappTexts

__all__ = [
    "FILES",
    "Answer",
    "CheckinContent",
    "Consent",
    "Faq",
    "Guide",
    "Plan",
    "PlanDay",
    "Question",
    "RedFlags",
    "Toggle",
    "TwitchContent",
    "Ui",
    "WarningSigns",
    "Content",
    "ContentError",
    "catalog_problems",
    "load_catalog",
    "locale_folders",
    "locale_problems",
    "Html",
    "content_problems",
    "load_content",
    "render",
    "render_plain",
]

ROOT_KEY = "(root)"
TERMS_FILE = "terms.yaml"
# Stand-in words, so the texts can still be checked when terms.yaml itself is broken.
_ANY_WORDS = dict.fromkeys(Terms.model_fields, "a doctor")
FILES: dict[str, type[BaseModel]] = {
    "plan.yaml": Plan,
    "checkin.yaml": CheckinContent,
    "redflags.yaml": RedFlags,
    "faq.yaml": Faq,
    "guide.yaml": Guide,
    "consent.yaml": Consent,
    "ui.yaml": Ui,
    "twitch.yaml": TwitchContent,
    "webapp.yaml": WebappTexts,
    TERMS_FILE: TermsFile,
}
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_LOCALE = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})?")
_M = TypeVar("_M", bound=BaseModel)
_Path = tuple[str, ...]


class ContentError(Exception):
    """The content for a locale is missing or invalid; `problems` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{len(problems)} content problem(s):\n{listing}")


@dataclass(frozen=True)
class Content:
    """Everything the bot says in one locale, validated, in plain words for any country."""

    locale: str
    plan: Plan
    checkin: CheckinContent
    redflags: RedFlags
    faq: Faq
    guide: Guide
    consent: Consent
    ui: Ui
    twitch: TwitchContent
    webapp: WebappTexts  # the Mini App page's texts
    # The same texts with a country's own words (terms.yaml), by ISO 3166 code.
    variants: Mapping[str, Content] = field(default_factory=dict, compare=False, repr=False)
    # Every locale the bot speaks (the same mapping in each of them), and the default one:
    # any Content can answer in another locale (ARCHITECTURE §10).
    locales: Mapping[str, Content] = field(default_factory=dict, compare=False, repr=False)
    default_locale: str = ""

    def local(self, country: str | None) -> Content:
        """The texts in the words of `country` (None or a country without its own: plain)."""
        return self.variants.get(country or "", self)

    def in_locale(self, locale: str | None) -> Content:
        """The plain texts of `locale`; the default locale's when it is not one the bot speaks."""
        found = self.locales.get(locale or "") or self.locales.get(self.default_locale)
        return found or self

    def locale_for(self, language_code: str | None) -> str:
        """The locale for a Telegram `language_code` ("es-MX" -> es); unknown: the default."""
        known = {locale.casefold(): locale for locale in self.locales}
        if language_code:
            for sep in ("-", "_"):
                match = negotiate_locale([language_code], list(self.locales), sep=sep)
                if match is not None:
                    return known.get(match.casefold(), match)
        return self.default_locale or self.locale


def content_problems(locale_dir: Path) -> list[str]:
    """Every problem in a locale folder, each as `"<file>: <dotted.key>: <message>"`.

    The texts are checked with the plain words and with each country's words.
    """
    return _load_all(locale_dir, "en")[1]


def load_content(root: Path, locale: str) -> Content:
    """Load and validate `root/<locale>/`; raise ContentError listing every problem."""
    if not _LOCALE.fullmatch(locale):
        raise ContentError([f"{locale!r}: not a locale name"])
    folder = root / locale
    if not folder.is_dir():
        raise ContentError([f"{folder}: no content folder for locale {locale!r}"])
    content, problems = _load_all(folder, locale)
    if content is None or problems:
        raise ContentError(problems)
    return content


def locale_folders(root: Path) -> list[str]:
    """The locale folders under a content root, sorted (`en`, `pt`, ...)."""
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and _LOCALE.fullmatch(p.name))


def catalog_problems(root: Path, default: str) -> list[str]:
    """Every problem of every locale under `root`, as `locale_problems` words them."""
    if default not in locale_folders(root):
        return [f"{root / default}: no content folder for the default locale {default!r}"]
    return [p for locale in locale_folders(root) for p in locale_problems(root / locale, default)]


def locale_problems(folder: Path, default: str) -> list[str]:
    """Every problem of one locale folder, each as `"<locale>/<file>: <key>: <message>"`: its
    own texts, then its parity with the default locale beside it (same keys, placeholders,
    buttons and answers), when that folder exists."""
    found = _load_all(folder, folder.name)[1]
    default_dir = folder.parent / default
    if folder.name != default and default_dir.is_dir():
        found += parity_problems(default_dir, folder)
    return [f"{folder.name}/{p}" for p in found]


def load_catalog(root: Path, default: str) -> Content:
    """Every locale under `root`, checked as `catalog_problems` does; the default's Content,
    whose `locales` (shared by all of them and their country variants) holds every locale.
    Loaded once per version of the files (the texts are immutable), so building another
    Application in the same process costs nothing."""
    files = sorted(root.rglob("*.yaml")) if root.is_dir() else []
    versions = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _catalog(root.resolve(), default, versions)


@functools.lru_cache(maxsize=16)
def _catalog(root: Path, default: str, _versions: tuple[tuple[str, int, int], ...]) -> Content:
    problems = catalog_problems(root, default)
    if problems:
        raise ContentError(problems)
    shared: dict[str, Content] = {}
    locales = MappingProxyType(shared)
    for locale in locale_folders(root):
        content = load_content(root, locale)
        variants = {
            code: replace(v, locales=locales, default_locale=default)
            for code, v in content.variants.items()
        }
        shared[locale] = replace(
            content, variants=variants, locales=locales, default_locale=default
        )
    return shared[default]


def _load_all(folder: Path, locale: str) -> tuple[Content | None, list[str]]:
    """The content with its country variants, or None; and every problem, each once."""
    problems: list[str] = []
    terms = _load_file(folder, TERMS_FILE, TermsFile, problems)
    loaded: dict[str, Content | None] = {}
    for country in ("", *(terms.countries if terms else ())):
        found: list[str] = []
        loaded[country] = _load_texts(folder, locale, _words(terms, country), found)
        suffix = f" (with the words for {country})" if country else ""
        problems += [f"{p}{suffix}" for p in found if p not in problems]
    plain = loaded.pop("")
    variants = {code: c for code, c in loaded.items() if c is not None}
    if plain is None or len(variants) < len(loaded):
        return None, problems
    return replace(plain, variants=variants), problems


def _words(terms: TermsFile | None, country: str) -> Mapping[str, str]:
    return terms.words(country or None) if terms is not None else _ANY_WORDS


def _load_texts(
    folder: Path, locale: str, words: Mapping[str, str], problems: list[str]
) -> Content | None:
    """Every text file with `words` filled in; None (and `problems`) if any is invalid."""
    before = len(problems)
    plan = _load_file(folder, "plan.yaml", Plan, problems, words)
    checkin = _load_file(folder, "checkin.yaml", CheckinContent, problems, words)
    redflags = _load_file(folder, "redflags.yaml", RedFlags, problems, words)
    faq = _load_file(folder, "faq.yaml", Faq, problems, words)
    guide = _load_file(folder, "guide.yaml", Guide, problems, words)
    consent = _load_file(folder, "consent.yaml", Consent, problems, words)
    ui = _load_file(folder, "ui.yaml", Ui, problems, words)
    twitch = _load_file(folder, "twitch.yaml", TwitchContent, problems, words)
    webapp = _load_file(folder, "webapp.yaml", WebappTexts, problems, words)
    if len(problems) > before:
        return None
    return Content(
        locale=locale,
        plan=_valid(plan),
        checkin=_valid(checkin),
        redflags=_valid(redflags),
        faq=_valid(faq),
        guide=_valid(guide),
        consent=_valid(consent),
        ui=_valid(ui),
        twitch=_valid(twitch),
        webapp=_valid(webapp),
    )


def _valid(model: _M | None) -> _M:
    if model is None:  # only when a problem was already reported
        raise ContentError(["content failed to load"])
    return model


def _load_file(
    folder: Path,
    name: str,
    model: type[_M],
    problems: list[str],
    words: Mapping[str, str] | None = None,
) -> _M | None:
    """Validate one file (with `words` filled in), appending its problems; return the model."""
    path = folder / name
    if not path.is_file():
        problems.append(f"{name}: {ROOT_KEY}: file is missing")
        return None
    try:
        node, data = _parsed(path)
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(f"{name}: {ROOT_KEY}: cannot read the file: {exc}")
        return None
    except yaml.YAMLError as exc:
        problems.append(f"{name}: {ROOT_KEY}: {_yaml_error(exc)}")
        return None
    lines = dict(_node_lines(node, ())) if node is not None else {}
    problems.extend(f"{name}: {_dotted(p)}: {m}" for p, m in _duplicate_keys(node, ()))
    if data is None:
        problems.append(f"{name}: {ROOT_KEY}: file is empty")
        return None
    try:
        return model.model_validate(data if words is None else fill_terms(data, words))
    except ValidationError as exc:
        problems.extend(f"{name}: {_describe(error, lines)}" for error in exc.errors())
        return None


def _parsed(path: Path) -> tuple[yaml.Node | None, Any]:
    """The file's YAML tree (for line numbers) and data, parsed once per version of the file:
    every locale is loaded once plainly and once per country's words, and each Application
    (many in one test run) loads the catalog again."""
    stat = path.stat()
    return _parse(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=1024)
def _parse(path: Path, _mtime_ns: int, _size: int) -> tuple[yaml.Node | None, Any]:
    """libyaml when present (ten times faster); on an error, the pure-Python parser again, so
    the message and its line are worded the same everywhere. Callers never mutate the data."""
    source = path.read_text(encoding="utf-8")
    try:
        return yaml.compose(source, Loader=_FAST_LOADER), yaml.load(source, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        return yaml.compose(source, Loader=yaml.SafeLoader), yaml.safe_load(source)


def _yaml_error(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is None:
        return f"YAML syntax error: {problem}"
    return f"YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: {problem}"


def _describe(error: ErrorDetails, lines: dict[_Path, int]) -> str:
    path = tuple(str(part) for part in error["loc"] if part != "[key]")
    kind = error["type"]
    if kind == "missing":
        message = "missing key"
    elif kind == "extra_forbidden":
        message = "unknown key"
    else:
        message = error["msg"].removeprefix("Value error, ")
    line = _nearest_line(path, lines)
    suffix = f" (line {line})" if line is not None else ""
    return f"{_dotted(path)}: {message}{suffix}"


def _nearest_line(path: _Path, lines: dict[_Path, int]) -> int | None:
    for end in range(len(path), 0, -1):
        if path[:end] in lines:
            return lines[path[:end]]
    return None


def _dotted(path: _Path) -> str:
    return ".".join(path) if path else ROOT_KEY


def _children(node: yaml.Node) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    """(key, key node, value node) for the items of a mapping or sequence node."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            yield str(key_node.value), key_node, value_node
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield str(index), item, item


def _node_lines(node: yaml.Node, path: _Path) -> Iterator[tuple[_Path, int]]:
    """The 1-based line of every key and list item."""
    for key, key_node, value_node in _children(node):
        yield (*path, key), key_node.start_mark.line + 1
        yield from _node_lines(value_node, (*path, key))


def _duplicate_keys(node: yaml.Node | None, path: _Path) -> Iterator[tuple[_Path, str]]:
    """A problem for every key that appears twice in one mapping (YAML keeps only the last)."""
    if node is None:
        return
    seen: set[str] = set()
    for key, key_node, value_node in _children(node):
        if isinstance(node, yaml.MappingNode) and key in seen:
            line = key_node.start_mark.line + 1
            yield (*path, key), f"duplicate key; only one may appear (line {line})"
        seen.add(key)
        yield from _duplicate_keys(value_node, (*path, key))
