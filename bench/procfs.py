"""CPU time and memory of a process and its descendants, read from /proc (Linux only).

CPU time is utime + stime of every live process in the tree, plus cutime +
cstime (children already reaped), in seconds. The kernel counts it in clock
ticks (SC_CLK_TCK, usually 100 per second), so one reading is exact to 10 ms;
a measured section needs enough calls for that to vanish in the per-call figure.
"""

from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """`pid` and all its live descendants, found through /proc/<pid>/task/<tid>/children."""
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        try:
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except OSError:
            continue  # exited while we looked
        for task in tasks:
            try:
                pending.extend(int(child) for child in (task / "children").read_text().split())
            except OSError:
                continue
    return tree


def _own_cpu_ticks(pid: int, reaped: bool = True) -> tuple[int, int]:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0, 0
    # The command name (field 2) may hold spaces and parentheses; the fields after its last ")" do not.
    fields = stat.rpartition(")")[2].split()
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])  # fields 14-17 of proc(5)
    if not reaped:
        return utime, stime
    return utime + cutime, stime + cstime


def cpu_times(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds used so far by `pid` and its descendants."""
    user = system = 0
    for p in process_tree(pid):
        u, s = _own_cpu_ticks(p)
        user, system = user + u, system + s
    return user / CLOCK_TICKS, system / CLOCK_TICKS


def process_cpu_times(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds used so far by `pid` itself (all its threads), without its children."""
    user, system = _own_cpu_ticks(pid, reaped=False)
    return user / CLOCK_TICKS, system / CLOCK_TICKS


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by `pid` and its descendants."""
    return sum(cpu_times(pid))


def _status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mib(pid: int) -> float:
    """Resident memory now (VmRSS), summed over the process tree."""
    return sum(_status_kib(p, "VmRSS") for p in process_tree(pid)) / 1024


def peak_rss_mib(pid: int) -> float:
    """Highest resident memory so far (VmHWM), summed over the process tree."""
    return sum(_status_kib(p, "VmHWM") for p in process_tree(pid)) / 1024


def process_peak_rss_mib(pid: int) -> float:
    """Highest resident memory so far (VmHWM) of `pid` alone."""
    return _status_kib(pid, "VmHWM") / 1024
