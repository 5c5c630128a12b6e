"""The host side of the Go and Rust warm loop (``warm_loop.py`` runs in the sandbox): the time
limit rule, the plan, one sandboxed run of the loop, and its records read back.

The limit rule (shared with the Java driver, which gets the same numbers as arguments): a
mutant may use ``FACTOR`` times the CPU time its covering tests use with no mutant (measured
in the loop, once per set of tests: ``warm_loop.py``), plus ``FLOOR_MS``; past that it is a
timeout. CPU time does not stretch on a loaded machine, wall time does: the wall-clock limit
is only a backstop for a mutant that waits (``WALL_SLACK`` times the same rule on wall time),
and a mutant stopped by it is re-checked once, with the backstop scaled by how slow the
machine is at that moment, before it counts.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from taskaudit.sandbox.base import Mount, ProcessResult, SandboxRequest

FACTOR = 3.0  # a mutant may use this many times the CPU time of its tests without it ...
FLOOR_MS = 50.0  # ... plus this much, for process start and 10 ms CPU accounting ticks
WALL_SLACK = 5.0  # the wall-clock backstop is this many times the same rule on wall time
# The hit limit (Rust): a mutant's run may call the schema's switches HIT_FACTOR times as often
# as its tests did in the dry run, plus HIT_FLOOR, before it counts as an endless loop.
# StrykerJS uses the same factor; the floor keeps a mutant that merely makes a loop a few
# thousand turns longer from being called endless (100,000 calls cost about a millisecond).
HIT_FACTOR = 100
HIT_FLOOR = 100_000
SWITCH_ENV = "TASKAUDIT_MUTANT"
LOOP_SCRIPT = Path(__file__).with_name("warm_loop.py")
_SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib64", "/etc", "/opt")  # the sandbox binds these already


@dataclass
class Entry:
    """One run of a prebuilt test binary in the loop."""

    key: str
    argv: list[str]
    cwd: str
    out: str  # sandbox path of its output file
    env: dict[str, str] = field(default_factory=dict)
    base: str | None = None  # names the command (binary + tests) whose no-mutant time limits this run
    reference_env: dict[str, str] | None = None  # how to run the same tests with no mutant
    hit_file: str | None = None  # where the switch marks a run it ended at its hit limit (Rust)


def mutant_entry(key: str, switch: int, argv: list[str], cwd: str, out: str) -> Entry:
    """A mutant's run: its switch set, limited by the rule above."""
    return Entry(key, argv, cwd, out, env={SWITCH_ENV: str(switch)}, base=f"{cwd}\0" + "\0".join(argv),
                 reference_env={SWITCH_ENV: "0"})


@cache
def interpreter() -> tuple[str, tuple[Mount, ...]]:
    """The host's Python for ``warm_loop.py`` (``-I -S``: its standard library only), and the
    read-only mounts it needs beyond the system directories the sandbox binds anyway."""
    exe = Path(sys.executable).resolve()
    needed = {Path(sys.base_prefix).resolve(), exe.parent.parent}
    mounts = tuple(Mount(host=p, target=str(p)) for p in sorted(needed)
                   if p.exists() and not str(p).startswith(_SYSTEM_DIRS))
    return str(exe), mounts


@dataclass
class LoopRun:
    records: dict[str, dict]  # entry key -> its record (see warm_loop.py)
    process: ProcessResult
    loop_rss_kb: int | None = None
    loop_cpu_ms: float | None = None


def run_loop(
    sandbox,
    request: Callable[[list[str], float, list[Mount]], SandboxRequest],
    harness_dir: Path,
    harness_target: str,
    results_dir: Path,
    results_target: str,
    entries: list[Entry],
    name: str,
    wall_seconds: float,
) -> LoopRun:
    """Run ``entries`` in one sandboxed process. ``request(argv, wall, extra mounts)`` makes
    the language's sandbox request (its mounts and environment, the harness mounted at
    ``harness_target``, results at ``results_target``)."""
    python, mounts = interpreter()
    (harness_dir / "warm_loop.py").write_bytes(LOOP_SCRIPT.read_bytes())
    plan = {"factor": FACTOR, "floor_ms": FLOOR_MS, "wall_slack": WALL_SLACK, "entries": [asdict(e) for e in entries]}
    (harness_dir / f"{name}.json").write_text(json.dumps(plan))
    argv = [python, "-I", "-S", "-B", f"{harness_target}/warm_loop.py", f"{harness_target}/{name}.json",
            f"{results_target}/{name}.jsonl"]
    process = sandbox.run(request(argv, wall_seconds, list(mounts)))
    try:
        text = (results_dir / f"{name}.jsonl").read_bytes()
    except OSError:
        text = b""
    return parse_loop_output(text, process)


def parse_loop_output(text: bytes, process) -> LoopRun:
    """``warm_loop.py``'s JSON lines: the records by entry key, and the loop's own usage line.
    A torn last line (the loop was killed mid-write) is skipped."""
    records: dict[str, dict] = {}
    run = LoopRun(records, process)
    for line in text.decode(errors="replace").splitlines():
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict) and "key" in value:
            records[value["key"]] = value
        elif isinstance(value, dict) and "loop_rss_kb" in value:
            run.loop_rss_kb, run.loop_cpu_ms = value["loop_rss_kb"], value.get("loop_cpu_ms")
    return run


def loop_wall(entries: list[Entry], reference_seconds: float) -> float:
    """The sandbox's wall limit for a loop: room for each entry to take ten times the whole
    reference run and more; a loop stopped early leaves the mutants it did not reach as errors."""
    return 60.0 + len(entries) * (10 * reference_seconds + 1.0)


def read_output(path: Path, cap: int = 8 << 20) -> bytes:
    try:
        return path.read_bytes()[:cap]
    except OSError:
        return b""


def record_stats(job_stats: dict[str, float], records: list[dict], run: LoopRun) -> None:
    """Memory and CPU of the loop for the benchmark's curve (``MutationJob.stats``)."""
    ran = [r for r in records if "cpu_ms" in r]
    if ran:
        cpu = sorted(r["cpu_ms"] for r in ran)
        rss = sorted(r["rss_kb"] for r in ran)
        job_stats["median_cpu_ms_per_mutant"] = cpu[len(cpu) // 2]
        job_stats["mean_cpu_ms_per_mutant"] = round(sum(cpu) / len(cpu), 3)
        job_stats["max_test_process_rss_kb"] = float(rss[-1])
        job_stats["rechecked"] = float(sum("recheck" in r for r in ran))
        job_stats["timeouts_on_cpu"] = float(sum(r.get("limit_hit") == "cpu" for r in ran))
    if run.loop_rss_kb is not None:
        job_stats["loop_rss_kb"] = float(run.loop_rss_kb)
