"""Libraries are used through their public API only: a library's private module or name
(python-telegram-bot's ``telegram._utils`` above all) may change in any release, unannounced."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("bot", "scheduler", "devtools", "tests", "bench")
# Our own code may reach its own private names (tests do); only other people's are off limits.
OURS = {*CHECKED, "content"}


# scheduler/ratelimit.py belongs to the delivery-contract change of issue 14 (step 4), which is
# rewriting it; its JSONDict import is replaced there. Delete this entry when that lands.
def _private(dotted: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in dotted.split("."))


def _imported(tree: ast.AST) -> Iterator[str]:
    """Every absolute import as a dotted name: `import a.b` gives a.b, `from a import b` a.b."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def private_library_imports() -> set[tuple[str, str]]:
    found = set()
    for package in CHECKED:
        for path in sorted((ROOT / package).rglob("*.py")):
            for name in _imported(ast.parse(path.read_text(encoding="utf-8"))):
                if name.split(".")[0] not in OURS and _private(name):
                    found.add((path.relative_to(ROOT).as_posix(), name))
    return found


def test_no_module_imports_a_library_private_module_or_name() -> None:
    assert private_library_imports() == set()
