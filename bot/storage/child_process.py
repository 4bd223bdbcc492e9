"""Child processes that never outlive the process that started them.

Every helper process the bot, the tests or the benchmarks start (redis-server above all) is
started with ``preexec_fn=die_with_parent``: the kernel sends it SIGTERM the moment its parent
dies, even by SIGKILL, so no server is left holding a port, a socket or a data-dir lock.
SIGTERM (not SIGKILL) lets a redis-server flush its AOF on the way out.

Linux only (prctl); elsewhere it does nothing and the stale-server checks of the embedded
server are the only safety net.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
from typing import Final

PR_SET_PDEATHSIG: Final = 1
PR_SET_CHILD_SUBREAPER: Final = 36


def _prctl(option: int, value: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    return bool(libc.prctl(option, value, 0, 0, 0) == 0)


def die_with_parent() -> None:
    """For ``preexec_fn``: ask the kernel for SIGTERM when the parent dies.

    The signal follows the parent *thread*, so start children from a long-lived thread (the
    main thread or the event loop's). If the parent died before this ran, exit at once.
    """
    parent = os.getppid()
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os._exit(1)


def become_subreaper() -> bool:
    """Adopt orphaned descendants (instead of init), so a leak can be seen and stopped."""
    return _prctl(PR_SET_CHILD_SUBREAPER, 1)
