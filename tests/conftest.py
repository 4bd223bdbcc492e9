"""Fixtures shared by all test layers: a real redis-server, a client flushed per test, a Store."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.storage.child_process import become_subreaper
from bot.storage.client import RedisClient, connect
from bot.storage.store import Store
from devtools.redis_cluster import LocalCluster
from tests.backends import CLUSTER, SINGLE, SlotAudit, parametrize_backends
from tests.redis_server import RedisServer, RedisServerError, require_binary


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One real redis-server for the session on a free 127.0.0.1 port. Fails if none is installed.

    Tests may stop() it to simulate an outage; the next test's redis_client starts it again.
    """
    try:
        server = RedisServer(require_binary(), tmp_path_factory.mktemp("redis-server"))
        server.start()
    except RedisServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCluster]:
    """One real local Redis Cluster for the session: three masters with a replica each, from
    the same redis-server binary. Started only when a test runs on the cluster."""
    try:
        cluster = LocalCluster(require_binary(), tmp_path_factory.mktemp("redis-cluster"))
        cluster.start()
    except RedisServerError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield cluster
    cluster.stop()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    parametrize_backends(metafunc)


@pytest.fixture
def redis_backend(request: pytest.FixtureRequest) -> str:
    """ "single" (one redis-server), or "cluster" where a test is parametrised with ON_BOTH."""
    return str(getattr(request, "param", SINGLE))


@pytest.fixture
def redis_url(request: pytest.FixtureRequest, redis_backend: str) -> str:
    """The URL of the running test server, or of the test cluster (redis+cluster://)."""
    if redis_backend == CLUSTER:
        if "redis_server" in request.fixturenames:
            pytest.skip("stops and starts the single test server; the cluster has its own")
        cluster: LocalCluster = request.getfixturevalue("redis_cluster")
        cluster.ensure_running()
        request.getfixturevalue("slot_audit")
        return cluster.url
    server: RedisServer = request.getfixturevalue("redis_server")
    server.ensure_running()
    return server.url


@pytest.fixture
def slot_audit(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlotAudit]:
    """Every script any cluster client runs in this test keeps its keys in one slot."""
    audit = SlotAudit()
    audit.install(monkeypatch)
    yield audit
    assert audit.crossing == [], "scripts whose keys span hash slots"


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[RedisClient]:
    """A client to an emptied test server (or cluster); closed after the test."""
    client = await connect(redis_url)
    try:
        await client.flushall()
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def store(redis_client: RedisClient) -> Store:
    """A Store over the per-test client."""
    return Store(redis_client)


# python-telegram-bot 22 warns unless its timedelta behaviour is opted into; the bot opts in.
os.environ.setdefault("PTB_TIMEDELTA", "1")


# --- no process outlives the suite ---------------------------------------------------------------


EXIT_GRACE = 5.0


def pytest_configure(config: pytest.Config) -> None:
    """Adopt every orphaned descendant, so a leaked server is still ours to find at the end."""
    become_subreaper()


def pytest_report_header(config: pytest.Config) -> str:
    """Which redis-server the suite runs on: its version decides version-dependent checks."""
    try:
        binary = require_binary()
    except RedisServerError as exc:
        return f"redis-server: none ({exc})"
    version = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, check=False
    ).stdout.split()
    return f"redis-server: {binary} ({' '.join(version[2:3])})"


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any process started by a test, fixture or the bot is still alive."""
    leaked = _stop_descendants()
    if leaked:
        names = ", ".join(f"{pid} ({command})" for pid, command in leaked)
        print(f"\nFAILED: processes outlived the test suite: {names}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def _stop_descendants() -> list[tuple[int, str]]:
    """SIGKILL every descendant still alive after a grace period (a server whose owner just
    died may still be flushing its data), again while killing a parent orphans more."""
    deadline = time.monotonic() + EXIT_GRACE
    while _live_children() and time.monotonic() < deadline:
        time.sleep(0.1)  # not a test: waiting for processes that are on their way out
    leaked: list[tuple[int, str]] = []
    for _round in range(10):
        found = _live_children()
        if not found:
            break
        leaked += found
        for pid, _command in found:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)  # not a test: give the kernel a moment to reparent orphans to us
    return leaked


def _live_children() -> list[tuple[int, str]]:
    """Every live descendant of this process (zombies are reaped, not counted)."""
    table = _process_table()
    found: list[tuple[int, str]] = []
    parents = {os.getpid()}
    while parents:
        children = {pid for pid, (ppid, _, _) in table.items() if ppid in parents}
        found += [(pid, table[pid][2]) for pid in sorted(children) if table[pid][1] != "Z"]
        for pid in children:
            if table[pid][1] == "Z" and table[pid][0] == os.getpid():
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, os.WNOHANG)
        parents = children
    return found


def _process_table() -> dict[int, tuple[int, str, str]]:
    """pid -> (parent pid, state, command) of every process, from /proc."""
    table = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        command, rest = text.split("(", 1)[1].rsplit(")", 1)
        state, ppid = rest.split()[:2]
        table[int(stat.parent.name)] = (int(ppid), state, command)
    return table
