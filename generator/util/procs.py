"""Whether a process runs: for telling a dead writer's leftovers (temporary files, staging folders) from a
live one's. A zombie (dead, not yet reaped: in a container whose init does not reap, it can stay) is dead."""
from __future__ import annotations

import os

__all__ = ["running"]


def running(pid: int) -> bool:
    """True while process `pid` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, owned by someone else
        pass
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
        return stat[stat.rindex(b")") + 2:][:1] not in (b"Z", b"X")
    except (OSError, ValueError):
        return True  # no /proc (not Linux): existence is all we know
