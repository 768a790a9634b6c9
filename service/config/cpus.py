"""The CPUs this process may use, and the number of gunicorn workers that gives by default.

``os.cpu_count()`` counts the host's cores, not a container's share of them (``--cpus``): this reads the
process's affinity and its cgroup's CPU quota instead, and caps the result, since every worker holds
database connections. It is the one default of :class:`service.config.settings.ServerSettings` that
depends on the host, and the one that reads files of the system rather than the environment.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

#: The most workers the default gives, whatever the host: each holds up to GREENRATE_DATABASE_POOL_SIZE
#: connections and ~170 MB, and PostgreSQL's default max_connections is 100 (a 64-core host's 129 workers
#: could have asked for 1,290; operator review). More is a deliberate GREENRATE_WORKERS, sized against the
#: database.
MAX_DEFAULT_WORKERS = 9


_CGROUP_V1_CPU = Path("/sys/fs/cgroup/cpu")


def _cgroup_quota(cpu_max: Path, v1: Path) -> tuple[int, int] | None:
    """The CPU quota and period of this process's cgroup (v2's ``cpu.max``, else v1's
    ``cpu.cfs_quota_us``/``cpu.cfs_period_us``); ``None`` when there is none (``max``, -1) or none is
    readable."""
    try:
        quota, period = cpu_max.read_text().split()[:2]
        return None if quota == "max" else (int(quota), int(period))
    except (OSError, ValueError):
        pass
    try:
        quota_us = int((v1 / "cpu.cfs_quota_us").read_text())
        period_us = int((v1 / "cpu.cfs_period_us").read_text())
    except (OSError, ValueError):
        return None
    return None if quota_us <= 0 or period_us <= 0 else (quota_us, period_us)


def usable_cpus(cpu_max: Path = Path("/sys/fs/cgroup/cpu.max"), v1: Path = _CGROUP_V1_CPU) -> int:
    """The CPUs this process may use: its affinity, capped by a cgroup CPU quota (a container's
    ``--cpus``, cgroup v2 or v1), which ``os.cpu_count()`` ignores; never less than 1."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without affinity (macOS)
        cpus = os.cpu_count() or 1
    quota = _cgroup_quota(cpu_max, v1)
    if quota is not None:
        cpus = min(cpus, math.ceil(quota[0] / quota[1]))
    return max(cpus, 1)


def default_workers() -> int:
    """2 x :func:`usable_cpus` + 1, at most :data:`MAX_DEFAULT_WORKERS`: a container limited to 2 of 64
    cores gets 5."""
    return min(2 * usable_cpus() + 1, MAX_DEFAULT_WORKERS)

