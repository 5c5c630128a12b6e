"""The warm loop of the Go and Rust mutation backends, run *inside the sandbox* by the host's
Python (``python -I -S``; standard library only, it imports nothing of taskaudit).

    python -I -S warm_loop.py PLAN.json OUT.jsonl

PLAN.json: ``{"factor", "floor_ms", "wall_slack", "entries": [{"key", "argv", "cwd", "env", "out",
"base", "reference_env"}]}``. Each entry is one run of a prebuilt test binary (one mutant's
covering tests, or one test of the coverage dry run): its output goes to ``out``, and one JSON
line per entry goes to OUT.jsonl as soon as it ends, so a loop the sandbox stops leaves what it
did.

Timeouts (``docs/mutation-compiled.md``, "Timeouts"). An entry with a ``base`` (a name for its
command: the same binary, the same tests) is limited. The first time the loop meets a base it
runs that command with no mutant active (``reference_env``): its CPU time and wall time are
what those tests cost here and now, and its output (the first such entry's ``out`` + ``.base``,
named by each record's ``base_out``) says which of them fail without any mutant. The mutant may use ``factor * base CPU + floor_ms`` of CPU time: past
that it is killed (its whole process group) and timed out, whatever the machine's load, since
CPU time does not stretch when other processes share the cores. A mutant that waits instead
(or a machine so loaded that the process barely runs) meets the wall-clock backstop,
``wall_slack`` times the same rule on wall time; that one is checked once more before it
counts: the same tests with no mutant again, to measure how slow the machine is *now*, then
the mutant with its backstop scaled by that slowdown (at least 2x, at most 10x).

Rust entries may also carry a hit limit (``hit_file``, ``run_hit_limited``): the switch module
counts its own calls and ends a run that makes far more of them than the tests make without
the mutant, which stops an endless loop long before its CPU limit would.

Each line also carries the process's CPU time (user + system) and peak RSS from ``wait4``,
and the last line the loop's own peak RSS: the memory and CPU curve of the benchmark.
"""

import json
import math
import os
import resource
import select
import signal
import sys
import time

MIN_SLOWDOWN, MAX_SLOWDOWN = 2.0, 10.0
POLL_S = 0.005  # how often a running process's CPU time is read
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def spawn(argv, cwd, env, out):
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_DUP2, 1, 2),
    ]
    os.chdir(cwd)  # posix_spawn has no cwd argument; this loop is single-threaded
    # setsid: the run is its own process group, so a timeout kills everything it started.
    return os.posix_spawnp(argv[0], argv, env, file_actions=actions, setsid=True)


def wait(pid, started, limit):
    """Wait for ``pid``; past ``limit`` (``{"cpu_ms", "wall_ms"}``, or None: no limit) kill its
    group. Returns (which limit was hit: "cpu", "wall" or None, wait status, rusage)."""
    hit = None
    if limit is not None:
        hit = _watch(pid, started, limit["cpu_ms"], limit["wall_ms"])
        if hit:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    _, status, usage = os.wait4(pid, 0)
    return hit, status, usage


def _watch(pid, started, cpu_limit_ms, wall_limit_ms):
    """None when the process ends within its limits, else the limit it went past. Its CPU time
    is read every ``POLL_S`` (the kernel counts it in clock ticks); its end is exact (pidfd)."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        fd = None
    try:
        while True:
            remaining = wall_limit_ms / 1000 - (time.perf_counter() - started)
            if remaining <= 0:
                return "wall"
            if _ends_within(pid, fd, min(remaining, POLL_S)):
                return None
            if _cpu_ms(pid) >= cpu_limit_ms:
                return "cpu"
    finally:
        if fd is not None:
            os.close(fd)


def _ends_within(pid, fd, seconds):
    if fd is not None:  # the kernel wakes us when the process ends
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(max(0, math.ceil(seconds * 1000))))
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:  # old kernels: poll every millisecond
        if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        time.sleep(0.001)
    return False


def _cpu_ms(pid):
    """User + system CPU time of a running process (all its threads) so far, from /proc."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return 0.0
    fields = data[data.rindex(b")") + 2 :].split()  # after "pid (comm) ": state is field 0
    return (int(fields[11]) + int(fields[12])) * 1000 / CLOCK_TICKS


def run_once(entry, env_extra, limit):
    env = dict(os.environ)
    env.update(entry.get("env") or {})
    env.update(env_extra or {})
    started = time.perf_counter()
    pid = spawn(entry["argv"], entry["cwd"], env, entry["out"])
    hit, status, usage = wait(pid, started, limit)
    ms = (time.perf_counter() - started) * 1000
    return {
        "timed_out": hit is not None,
        "limit_hit": hit,
        "status": os.waitstatus_to_exitcode(status),
        "ms": round(ms, 3),
        "cpu_ms": round((usage.ru_utime + usage.ru_stime) * 1000, 3),
        "rss_kb": usage.ru_maxrss,
        "limit_ms": None if limit is None else limit["wall_ms"],
        "cpu_limit_ms": None if limit is None else limit["cpu_ms"],
    }


def run_hit_limited(entry, env_extra, limit):
    """``run_once``, for an entry that may carry a hit limit (``hit_file``: Rust's switch module
    writes "hits limit" there and exits when the mutant's run calls its switches more often than
    the limit allows, an endless loop): such a run is a timeout, ``limit_hit`` "hits"."""
    marker = entry.get("hit_file")
    if marker:
        try:
            os.unlink(marker)
        except FileNotFoundError:
            pass
    record = run_once(entry, env_extra, limit)
    if marker and os.path.exists(marker):
        with open(marker, encoding="utf-8", errors="replace") as f:
            counts = f.read().split()
        record.update(timed_out=True, limit_hit="hits")
        if len(counts) == 2 and all(c.isdigit() for c in counts):
            record.update(hits=int(counts[0]), hit_limit=int(counts[1]))
    return record


def run_entry(entry, plan, bases):
    base = None
    if entry.get("base"):
        if entry["base"] not in bases:
            # These tests with no mutant, once: their time here and now, and which fail anyway.
            own = dict(entry, out=entry["out"] + ".base")
            bases[entry["base"]] = {**run_once(own, entry["reference_env"], None), "out": own["out"]}
        base = bases[entry["base"]]
    limit = None
    if base is not None:
        factor, floor = plan["factor"], plan["floor_ms"]
        limit = {"cpu_ms": round(factor * base["cpu_ms"] + floor, 3),
                 "wall_ms": round(plan["wall_slack"] * (factor * base["ms"] + floor), 3)}
    first = run_hit_limited(entry, None, limit)
    record = {"key": entry["key"], **first}
    if base is not None:
        record.update(base_ms=base["ms"], base_cpu_ms=base["cpu_ms"], base_status=base["status"],
                      base_out=base["out"])
    if first["limit_hit"] != "wall":
        return record  # it ended, or did more work (CPU time, switch calls) than allowed: a timeout
    # Past the wall-clock backstop without using its CPU: it waits, or the machine starved it.
    # How slow is the machine now? The same tests, no mutant, bounded by the largest limit.
    reference = run_once(dict(entry, out=entry["out"] + ".recheck"), entry["reference_env"],
                         {"cpu_ms": limit["cpu_ms"] * MAX_SLOWDOWN, "wall_ms": limit["wall_ms"] * MAX_SLOWDOWN})
    slowdown = min(MAX_SLOWDOWN, max(MIN_SLOWDOWN, reference["ms"] / max(base["ms"], 0.001)))
    second = run_hit_limited(entry, None, {"cpu_ms": limit["cpu_ms"], "wall_ms": limit["wall_ms"] * slowdown})
    record.update(second)
    record["recheck"] = {"first_ms": first["ms"], "first_limit_ms": limit["wall_ms"],
                         "reference_ms": reference["ms"], "slowdown": round(slowdown, 2)}
    return record


def run_entries(entries, plan, out_path, bases=None):
    """Run each entry under the plan's limits, one JSON record a line (flushed as it goes, so a
    killed loop leaves what it finished), then a last line with the loop's own RSS and CPU.
    ``bases``: base runs already made, by base name (``ms``, ``cpu_ms``, ``status``, ``out``:
    the output file), e.g. a dry run of exactly the same command."""
    bases = dict(bases or {})
    with open(out_path, "a", encoding="utf-8") as out:
        for entry in entries:
            try:
                record = run_entry(entry, plan, bases)
            except OSError as exc:  # the binary vanished, the output could not be opened ...
                record = {"key": entry["key"], "error": f"{type(exc).__name__}: {exc}"}
            out.write(json.dumps(record) + "\n")
            out.flush()
        own = resource.getrusage(resource.RUSAGE_SELF)
        out.write(json.dumps({"loop_rss_kb": own.ru_maxrss,
                              "loop_cpu_ms": round((own.ru_utime + own.ru_stime) * 1000, 3)}) + "\n")


def main():
    plan_path, out_path = sys.argv[1], sys.argv[2]
    with open(plan_path, encoding="utf-8") as f:
        plan = json.load(f)
    run_entries(plan["entries"], plan, out_path)


if __name__ == "__main__":
    main()
