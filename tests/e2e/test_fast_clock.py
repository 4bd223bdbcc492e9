"""Trying a week on a fast clock: ticks in the bot's time, a clock that survives a restart,
log lines in the bot's time, and one line (not a traceback) when start-up cannot work."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.core.config import Settings
from bot.domain.clock import SavedClock, SystemClock
from bot.ops.app import CLOCK_SAVE_SECONDS, MIN_TICK
from bot.ops.cli import CLOCK_FILE, process_clock
from bot.ops.logs import configure_logging
from bot.storage.child_process import die_with_parent
from bot.storage.embedded_redis import EmbeddedRedis
from devtools.emulator import BotApiEmulator
from devtools.emulator.emulator import DEFAULT_TOKEN
from devtools.manual_clock import ManualClock
from tests.e2e.harness import running_bot, settings_for

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)


def fast(tmp_path: Path, **changes: object) -> Settings:
    values: dict[str, object] = {
        "_env_file": None,
        "data_dir": tmp_path,
        "clock_start": T0,
        "clock_speed": 600.0,
    }
    return Settings(**{**values, **changes})  # type: ignore[arg-type]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize(
    ("speed", "interval"), [(1.0, 1.0), (10.0, 0.1), (600.0, MIN_TICK), (0.5, 2.0)]
)
async def test_the_tick_runs_in_the_bots_seconds(
    redis_url: str, tmp_path: Path, speed: float, interval: float
) -> None:
    clock = ManualClock(T0)
    async with BotApiEmulator(clock) as emu:
        settings = settings_for(emu, redis_url).model_copy(
            update={"tick_seconds": 1.0, "clock_speed": speed}
        )
        async with running_bot(emu, settings, clock) as app:
            assert app.job_queue is not None
            (job,) = app.job_queue.get_jobs_by_name("dispatch")
            assert job.job.trigger.interval == timedelta(seconds=interval)


def test_a_restarted_fast_clock_carries_on_where_it_was(tmp_path: Path) -> None:
    first = process_clock(fast(tmp_path))
    assert isinstance(first, SavedClock)
    assert not first.resumed
    first.jump(timedelta(days=2, hours=3))
    first.save()

    again = process_clock(fast(tmp_path))
    afresh = process_clock(fast(tmp_path, clock_resume=False))

    assert isinstance(again, SavedClock)
    assert again.resumed
    assert again.now() >= T0 + timedelta(days=2, hours=3)
    assert again.path == tmp_path / CLOCK_FILE
    assert afresh.now() < T0 + timedelta(days=1)


def test_a_damaged_clock_file_starts_from_the_start(tmp_path: Path) -> None:
    (tmp_path / CLOCK_FILE).write_text("{not json")

    clock = process_clock(fast(tmp_path))

    assert isinstance(clock, SavedClock)
    assert not clock.resumed
    assert clock.now() < T0 + timedelta(days=1)


def test_real_time_is_never_saved_or_resumed(tmp_path: Path) -> None:
    clock = process_clock(Settings(_env_file=None, data_dir=tmp_path))
    assert isinstance(clock, SystemClock)


async def test_the_bot_saves_its_clock_while_running_and_at_shutdown(
    redis_url: str, tmp_path: Path
) -> None:
    clock = SavedClock(tmp_path / CLOCK_FILE, T0, speed=1.0)
    async with (
        BotApiEmulator(ManualClock(T0)) as emu,
        running_bot(emu, settings_for(emu, redis_url), clock) as app,  # type: ignore[arg-type]
    ):
        assert app.job_queue is not None
        (job,) = app.job_queue.get_jobs_by_name("clock")
        assert job.job.trigger.interval == timedelta(seconds=CLOCK_SAVE_SECONDS)
        clock.jump(timedelta(hours=5))
    saved = datetime.fromisoformat(json.loads((tmp_path / CLOCK_FILE).read_text())["now"])
    assert saved >= T0 + timedelta(hours=5)


@pytest.mark.usefixtures("restore_logging")
@pytest.mark.parametrize("as_json", [False, True])
def test_log_lines_carry_the_bots_time_on_a_fast_clock(tmp_path: Path, as_json: bool) -> None:
    out = io.StringIO()
    settings = fast(tmp_path, log_json=as_json)
    configure_logging(settings, out, clock=ManualClock(T0 + timedelta(days=3)))

    logging.getLogger("bot.test").info("a tick")

    line = out.getvalue().strip()
    if as_json:
        assert json.loads(line)["bot_time"] == "2026-03-23T08:00:00+00:00"
    else:
        assert "(bot 2026-03-23T08:00:00+00:00) INFO bot.test: a tick" in line


@pytest.mark.usefixtures("restore_logging")
def test_log_lines_on_real_time_have_no_bot_time(tmp_path: Path) -> None:
    out = io.StringIO()
    configure_logging(fast(tmp_path), out, clock=SystemClock())

    logging.getLogger("bot.test").info("a tick")

    assert "(bot" not in out.getvalue()


async def test_run_answers_a_data_dir_in_use_with_one_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TWITCHCARE_BOT_TOKEN": DEFAULT_TOKEN,
        "TWITCHCARE_DATA_DIR": str(tmp_path),
    }
    env.pop("TWITCHCARE_REDIS_URL", None)
    async with BotApiEmulator(ManualClock(T0)) as emu, EmbeddedRedis(tmp_path) as holder:
        env["TWITCHCARE_API_BASE_URL"] = emu.base_url
        env["TWITCHCARE_API_FILE_URL"] = emu.base_file_url
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            preexec_fn=die_with_parent,
        )  # fmt: skip
        _, err = await asyncio.wait_for(bot.communicate(), 60)
        holder_pid = holder.pid

    errors = err.decode()
    assert bot.returncode == 1
    assert f"twitchcare could not start: another redis-server (pid {holder_pid})" in errors
    assert "Traceback" not in errors
    assert SecretStr(DEFAULT_TOKEN).get_secret_value() not in errors
