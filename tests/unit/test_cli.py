"""The `twitchcare` command line, run as a real subprocess."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from content import CONTENT_ROOT
from tests.locales import FAKE, content_root_with


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, check=False
    )


def test_check_content_passes_on_shipped_content() -> None:
    result = run_cli("check-content")
    assert result.returncode == 0, result.stderr
    assert "content is valid" in result.stdout


def test_check_content_names_file_and_key_on_a_broken_copy(tmp_path: Path) -> None:
    broken = Path(shutil.copytree(CONTENT_ROOT / "en", tmp_path / "en"))
    plan = yaml.safe_load((broken / "plan.yaml").read_text("utf-8"))
    del plan["days"][4]  # days are keyed by their number
    plan["days"][3]["morning"] = "x" * 5000
    (broken / "plan.yaml").write_text(yaml.safe_dump(plan), "utf-8")

    result = run_cli("check-content", str(broken))

    assert result.returncode == 1
    assert "plan.yaml: days.3.morning:" in result.stderr
    assert "plan.yaml: days: day 4 is missing" in result.stderr
    assert "problem(s)" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_content_on_a_missing_folder_says_so(tmp_path: Path) -> None:
    result = run_cli("check-content", str(tmp_path / "nope"))
    assert result.returncode == 1
    assert "no such content folder" in result.stderr


def test_check_content_refuses_a_locale_out_of_parity_naming_locale_file_and_key(
    tmp_path: Path,
) -> None:
    root = content_root_with(tmp_path, FAKE)
    ui = yaml.safe_load((root / FAKE / "ui.yaml").read_text("utf-8"))
    del ui["commands"]["help"]
    (root / FAKE / "ui.yaml").write_text(yaml.safe_dump(ui, allow_unicode=True), "utf-8")

    whole = run_cli("check-content", str(root))
    one = run_cli("check-content", str(root / FAKE))

    for result in (whole, one):
        assert result.returncode == 1
        assert "xx/ui.yaml: commands.help: missing key (en has it)" in result.stderr
        assert "Traceback" not in result.stderr
