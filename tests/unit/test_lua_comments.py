"""Each Lua script's comment is its only documentation (Redis runs it as one opaque string), so
it must keep up with the script: every KEYS[n] and ARGV[n] it names is one the script reads and
the other way round, and every value the script returns as a literal is explained."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SLOT = re.compile(r"\b(?:KEYS|ARGV)\[\d+\]")
RETURNED = re.compile(r"\breturn (-?\d+)\b")


@dataclass(frozen=True)
class Script:
    where: str
    comment: str
    body: str


def _comment_above(lines: list[str], line: int) -> str:
    """The block of `#` lines that ends just above `line` (1-based)."""
    block: list[str] = []
    for text in reversed(lines[: line - 1]):
        if not text.startswith("#"):
            break
        block.insert(0, text.lstrip("# "))
    return " ".join(block)


def scripts() -> list[Script]:
    found = []
    for path in sorted([*(ROOT / "bot").rglob("*.py"), *(ROOT / "scheduler").rglob("*.py")]):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for node in ast.parse(source).body:
            if not isinstance(node, ast.AnnAssign | ast.Assign):
                continue
            value = node.value
            if isinstance(value, ast.Constant) and "redis.call" in str(value.value):
                target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0]
                where = f"{path.relative_to(ROOT).as_posix()}::{ast.unparse(target)}"
                found.append(Script(where, _comment_above(lines, node.lineno), str(value.value)))
    return found


def _is_said(number: str, comment: str) -> bool:
    return re.search(rf"(?<![\w\[.\-]){re.escape(number)}(?![\w\].])", comment) is not None


SCRIPTS = scripts()


def test_the_scripts_are_found() -> None:
    assert len(SCRIPTS) >= 7


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.where for s in SCRIPTS])
def test_a_scripts_comment_names_what_it_reads_and_returns(script: Script) -> None:
    assert script.comment, "a Lua script needs a comment above it"
    assert set(SLOT.findall(script.comment)) == set(SLOT.findall(script.body))
    unexplained = {n for n in RETURNED.findall(script.body) if not _is_said(n, script.comment)}
    assert unexplained == set(), "returned values the comment does not explain"
