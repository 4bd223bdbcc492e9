"""One launcher starts every redis-server: the bot's embedded one, the tests' and the benches'.

Three copies of the command line, the readiness wait and the stop used to drift apart; a fix to
one (the parent-death signal, a Redis version's log line) missed the others.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "bot" / "storage" / "redis_server.py"
# Options only a redis-server command line carries.
SERVER_OPTION = re.compile(r"""["']--(appendonly|unixsocket|cluster-enabled|daemonize|save)["']""")
PACKAGES = ("bot", "scheduler", "devtools", "bench", "tests")


def test_only_the_launcher_builds_a_redis_server_command_line() -> None:
    elsewhere = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if path != LAUNCHER and SERVER_OPTION.search(path.read_text())
    ]

    assert SERVER_OPTION.search(LAUNCHER.read_text())
    assert elsewhere == [], "start redis-server through bot/storage/redis_server.py"
