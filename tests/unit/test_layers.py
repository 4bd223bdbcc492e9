"""The domain layer is pure: importing any of its modules pulls in no Telegram, Redis or charts.

Each module is imported in a fresh interpreter, so what one test imported cannot hide what
another module drags in. (The import contracts in pyproject.toml check the same statically.)
"""

from __future__ import annotations

import json
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import bot.domain

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("telegram", "redis", "matplotlib", "prometheus_client", "starlette", "uvicorn", "aiohttp")
DOMAIN = sorted(f"bot.domain.{m.name}" for m in pkgutil.iter_modules(bot.domain.__path__))

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_every_domain_module_is_probed() -> None:
    assert len(DOMAIN) >= 15
    assert "bot.domain.models" in DOMAIN


@pytest.mark.parametrize("module", DOMAIN)
def test_a_domain_module_imports_nothing_heavy(module: str) -> None:
    probe = subprocess.run(
        [sys.executable, "-c", PROBE, module],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    loaded = set(json.loads(probe.stdout))
    assert loaded.isdisjoint(HEAVY), f"{module} pulls in {sorted(loaded & set(HEAVY))}"


LAYERS = ("domain", "texts", "storage", "views", "core", "chat", "features", "webapp", "ops")


def test_no_module_lives_outside_a_layer() -> None:
    """The flat layout cannot come back: every module of the bot sits in one layer's package."""
    top = ROOT / "bot"
    strays = [
        path.relative_to(ROOT).as_posix()
        for path in top.rglob("*.py")
        if path.parent == top
        and path.name not in ("__init__.py", "__main__.py")
        or path.parent != top
        and path.relative_to(top).parts[0] not in LAYERS
    ]
    assert strays == []


# One module of each layer, and one dev tool, moved back to the flat `bot/` of before.
MOVED_BACK = (
    "bot/domain/progress.py",
    "bot/texts/content.py",
    "bot/storage/store.py",
    "bot/views/charts.py",
    "bot/core/config.py",
    "bot/chat/router.py",
    "bot/features/enrol.py",
    "bot/ops/webhook.py",
    "bot/webapp/auth.py",
    "devtools/manual_clock.py",
)


@pytest.mark.parametrize("module", MOVED_BACK)
def test_moving_a_module_back_to_the_flat_layout_breaks_a_contract(
    module: str, tmp_path: Path
) -> None:
    for part in ("bot", "scheduler", "devtools"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / module).rename(tmp_path / "bot" / Path(module).name)
    lint = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert lint.returncode != 0, lint.stdout
    # The exhaustive layers contract breaks; a feature named by the independence contract is
    # reported missing first.
    assert "lives in a layer (no flat bot/*.py) BROKEN" in lint.stdout or (
        f"Module 'bot.features.{Path(module).stem}' does not exist." in lint.stdout
    )
