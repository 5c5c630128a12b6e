"""The warm worker for Python mutants: a pytest plugin, loaded with ``-p`` inside the sandbox.

pytest collects the task's tests once (importing the instrumented solution with no mutant
active). Then this plugin takes over the run loop (``pytest_runtestloop``):

1. Functions reached while collecting are noted: their mutants act at import time, so the
   host runs them in a fresh process instead (a rebuild).
2. A dry run, in a forked child, runs every test the reference passed and records which
   schematised functions each one reaches (the switch's ``REACHED`` set) and its time.
3. For each mutant, a forked child activates it and runs only the tests reaching its
   function, each through pytest's own ``runtestprotocol`` (fixtures, setup, teardown).
   The parent never runs a test itself, so every child starts from the same clean state.
   A child past its limit is killed; it is re-checked once with a larger limit, and only a
   child past that one too is a timeout (``limits_for`` below, docs/mutation.md "Timeouts").
   A child that dies without reporting: crash.

Results go to ``$TASKAUDIT_RESULTS_DIR/mutation.jsonl``, each line carrying the nonce that
the host left in ``mutation-nonce`` and that this plugin deleted before any test module was
imported. Children report to the parent over a pipe created per child.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import select
import signal
import time
from pathlib import Path

from _pytest.outcomes import OutcomeException, Skipped
from _pytest.runner import runtestprotocol

from taskaudit.languages.pytest_plugin import junit_id
from taskaudit.mutation import switch

_RESULTS_DIR = Path(os.environ.get("TASKAUDIT_RESULTS_DIR", "/results"))


def _read_nonce_once() -> str:
    path = _RESULTS_DIR / "mutation-nonce"
    try:
        nonce = path.read_text().strip()
        path.unlink()
    except OSError:
        return ""
    return nonce


_NONCE = _read_nonce_once()  # at plugin import: before collection imports any task code
_OUT = None
_CHILD_MEMORY = 1 << 30  # address space a mutant's child may add to the worker's own

# Mutant limits (docs/mutation.md, "Timeouts"). A mutant's child may use FACTOR times the time
# its covering tests took in the dry run, at least FLOOR seconds, of CPU time: CPU time, not
# wall time, because a loaded machine delays a child without making it use more CPU, so load
# alone cannot push a mutant past its limit. A child that waits (sleep, a lock, a pipe) uses no
# CPU; the wall-clock backstop, max(FACTOR x, + BACKSTOP_EXTRA s), ends it. A child past either
# limit is run once more with both limits RECHECK times larger before it is called a timeout,
# so one unlucky run (a page-fault storm after fork, a collection) never decides the outcome.
FLOOR = 0.03
FACTOR = 10.0
RECHECK = 3.0
BACKSTOP_EXTRA = 1.0


def limits_for(budget: float, floor: float = FLOOR) -> tuple[float, float]:
    """(CPU seconds, wall seconds) a mutant's first run may take; ``budget``: its tests' dry-run time."""
    cpu = max(floor, FACTOR * budget)
    return cpu, max(cpu, FACTOR * budget, budget + BACKSTOP_EXTRA)


def _emit(record: dict) -> None:
    global _OUT
    if _OUT is None:
        _OUT = open(_RESULTS_DIR / "mutation.jsonl", "a", encoding="utf-8")  # noqa: SIM115
    _OUT.write(json.dumps({**record, "nonce": _NONCE}) + "\n")
    _OUT.flush()


def pytest_runtestloop(session):
    plan = json.loads(Path(os.environ["TASKAUDIT_MUTATION_PLAN"]).read_text())
    expected = set(plan["expected"])
    items = [item for item in session.items if junit_id(item.nodeid) in expected]
    import_reached = sorted(switch.REACHED)
    switch.REACHED.clear()

    # Objects that exist now are never collected in the parent again: a forked child then does
    # not copy the pages the collector would have touched (copy-on-write stays cheap).
    gc.collect()
    gc.freeze()
    t0 = time.perf_counter()
    dry = _in_child(lambda: _dry_run(items), timeout=max(60.0, 30.0 * len(items)))
    dry_ms = (time.perf_counter() - t0) * 1000
    if dry.get("status") != "ok":
        _emit({"kind": "header", "error": f"dry run failed: {dry}", "dry_ms": dry_ms})
        return True
    reaches: dict[str, list[int]] = dry["reaches"]
    seconds: dict[str, float] = dry["seconds"]
    passing = [item for item in items if dry["passed"].get(item.nodeid)]
    _emit({"kind": "header", "import_reached": import_reached, "dry_ms": dry_ms,
           "dry_failed": [junit_id(i.nodeid) for i in items if not dry["passed"].get(i.nodeid)]})

    for number, function in plan["mutants"]:
        if function in import_reached:
            _emit({"kind": "mutant", "key": number, "outcome": "fresh"})
            continue
        covering = [item for item in passing if function in reaches.get(item.nodeid, ())]
        covered_by = [junit_id(item.nodeid) for item in covering]
        if not covering:
            _emit({"kind": "mutant", "key": number, "outcome": "no_coverage"})
            continue
        budget = sum(seconds[item.nodeid] for item in covering)
        cpu_limit, wall_limit = limits_for(budget, plan.get("floor", FLOOR))
        started = time.perf_counter()
        run = lambda number=number, covering=covering: _run_mutant(number, covering)
        result = _in_child(run, timeout=wall_limit, cpu_limit=cpu_limit)
        recheck = ""
        if result.get("status") == "timeout":  # once more, with larger limits, before believing it
            recheck = f"first run {result.get('detail', '')}"
            cpu_limit, wall_limit = RECHECK * cpu_limit, RECHECK * wall_limit
            result = _in_child(run, timeout=wall_limit, cpu_limit=cpu_limit)
        ms = (time.perf_counter() - started) * 1000
        status = result.get("status")
        record = {"kind": "mutant", "key": number, "covered_by": covered_by, "ms": ms}
        if recheck:
            record["rechecked"] = True
        if status == "ok":
            killed = result["killed_by"]
            record.update(outcome="killed" if killed else "survived", killed_by=killed,
                          cpu_ms=result.get("cpu_ms", 0.0))
            if recheck:
                record["detail"] = f"{recheck}; the re-check completed"
        elif status == "timeout":
            record.update(outcome="timeout", detail=f"{recheck}; re-check {result.get('detail', '')}")
        else:
            record.update(outcome="crash", detail=str(result.get("detail", ""))[:500])
        _emit(record)
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    _emit({"kind": "footer",
           "peak_rss_kib": own.ru_maxrss, "children_peak_rss_kib": children.ru_maxrss,
           "cpu_sec": own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime})
    return True


def _dry_run(items) -> dict:
    reaches: dict[str, list[int]] = {}
    seconds: dict[str, float] = {}
    passed: dict[str, bool] = {}
    for item in items:
        switch.REACHED.clear()
        t = time.perf_counter()
        reports = runtestprotocol(item, log=False, nextitem=None)
        seconds[item.nodeid] = time.perf_counter() - t
        reaches[item.nodeid] = sorted(switch.REACHED)
        passed[item.nodeid] = not any(r.failed for r in reports)
    return {"status": "ok", "reaches": reaches, "seconds": seconds, "passed": passed}


def _run_mutant(number: int, items) -> dict:
    switch.ACTIVE = number
    killed = [junit_id(item.nodeid) for item in items if not _passes(item)]
    return {"status": "ok", "killed_by": killed}


def _passes(item) -> bool:
    """Run one test through pytest's setup/call/teardown hooks; True when none of them fails.

    The same hooks ``runtestprotocol`` calls, minus building a report: a failure's report
    (traceback with source) costs more than most tests, and only pass/fail matters here.
    An xfail-marked test goes through the full protocol, whose report knows what xfail means.
    """
    if item.get_closest_marker("xfail") is not None:
        return not any(r.failed for r in runtestprotocol(item, log=False, nextitem=None))
    ok = True
    try:
        item.ihook.pytest_runtest_setup(item=item)
        item.ihook.pytest_runtest_call(item=item)
    except Skipped:
        pass  # a skip is not a failure (pytest reports it as skipped)
    except (Exception, SystemExit, OutcomeException):  # noqa: BLE001 - any failure is a kill
        ok = False
    finally:
        try:
            item.ihook.pytest_runtest_teardown(item=item, nextitem=None)
        except Skipped:
            pass
        except (Exception, SystemExit, OutcomeException):  # noqa: BLE001
            ok = False
    return ok


def _in_child(fn, timeout: float, cpu_limit: float | None = None) -> dict:
    """Run ``fn`` in a forked child; its JSON answer, or why there is none.

    ``timeout``: wall-clock seconds; ``cpu_limit``: CPU seconds, enforced by the kernel
    (ITIMER_PROF, whose SIGPROF ends the child, even inside C code that never returns to Python).
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(read_fd)
            os.setpgid(0, 0)  # its own process group: a timeout kills whatever it started
            _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            cap = _address_space() + _CHILD_MEMORY
            if hard == resource.RLIM_INFINITY or cap < hard:
                resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            if cpu_limit is not None:
                signal.signal(signal.SIGPROF, signal.SIG_DFL)  # default action: end the process
                signal.setitimer(signal.ITIMER_PROF, cpu_limit)
            answer = fn()
        except BaseException as exc:  # noqa: BLE001 - report whatever ended the child
            answer, code = {"status": "error", "detail": f"{type(exc).__name__}: {exc}"}, 1
        try:
            os.write(write_fd, json.dumps(answer).encode())
        finally:
            os._exit(code)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    timed_out = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([read_fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(read_fd, 1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_fd)
    if timed_out:
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        return {"status": "timeout", "detail": f"ran past {timeout:.2f} s wall"}
    _, status, usage = os.wait4(pid, 0)
    cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000
    try:
        os.killpg(pid, signal.SIGKILL)  # anything the tests left running
    except (ProcessLookupError, PermissionError):
        pass
    try:
        answer = json.loads(b"".join(chunks))
    except ValueError:
        answer = None
    if not isinstance(answer, dict) and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGPROF:
        return {"status": "timeout", "detail": f"used {cpu_ms / 1000:.2f} s CPU (limit {cpu_limit:.2f} s)"}
    if not isinstance(answer, dict):
        how = (f"killed by signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status)
               else f"exit code {os.WEXITSTATUS(status)}")
        return {"status": "crash", "detail": f"the test process ended without a result ({how})"}
    if answer.get("status") == "ok" and status != 0:
        return {"status": "crash", "detail": f"the test process exited with status {status}"}
    if answer.get("status") == "error":
        return {"status": "crash", "detail": answer.get("detail", "")}
    answer["cpu_ms"] = cpu_ms
    return answer


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 1 << 30
