"""JavaScript mutation testing: taskaudit (schemata + warm worker) against StrykerJS, side by side.

Run:  .venv/bin/python benchmarks/mutation_js.py [--skip-stryker] [--sizes 10,100,1000]

1. The same tasks mutated by taskaudit and by StrykerJS 9.6.1, installed with npm into
   ~/.cache/taskaudit-bench/stryker on first use (Stryker 10 needs Node 22; this machine has
   Node 20): examples/tasks/javascript/good (node:test; Stryker's command test runner,
   ``node --test tests/``, as Stryker has no node:test runner), examples/tasks/javascript-jest/good
   (Stryker's own jest runner, @stryker-mutator/jest-runner 9.6.1, in-process, with per-test
   coverage: Stryker's fastest setup) and a synthetic node:test task with no endless-loop
   mutants. Both run one mutant at a time (Stryker ``concurrency: 1``). Stryker's limit per
   mutant is set to ``timeoutMS: 1000`` (its default is 5000, which would make its timeouts cost
   5x more); taskaudit and Stryker's jest runner stop endless loops in the mutated code at a
   hit limit first (100x the dry run's count; taskaudit's adds 10,000, docs/mutation.md
   "Timeouts"; Stryker's command runner has no hit counts). Stryker's JSON
   report records no per-mutant time, so the comparison is wall time per mutant (timeouts
   included, each tool with its own limit); taskaudit's per-mutant median (the worker's own
   time for a killed or surviving mutant: its covering tests re-run in the warm worker, with a
   module reload only where docs/mutation.md "Isolation between mutants" asks for one) is
   printed beside it, with the number of reloads.
2. The curve: one synthetic task with many mutation points, mutated with budgets of 10, 100
   and 1000 mutants: wall seconds, ms per mutant, CPU ms per mutant and peak memory of the worker.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from taskaudit.formats import load_tasks
from taskaudit.languages import get_language
from taskaudit.model import Task
from taskaudit.mutation.engine import run_mutation
from taskaudit.runner import reference_variant, run_variant
from taskaudit.sandbox import get_backend

ROOT = Path(__file__).resolve().parents[1]
TASK = ROOT / "examples" / "tasks" / "javascript" / "good"
JEST_TASK = ROOT / "examples" / "tasks" / "javascript-jest" / "good"
CACHE = Path(os.environ.get("TASKAUDIT_BENCH_CACHE", Path.home() / ".cache" / "taskaudit-bench"))
STRYKER = ["@stryker-mutator/core@9.6.1", "@stryker-mutator/jest-runner@9.6.1"]


def cpu_seconds() -> float:
    """CPU time of this process and of every child process it has waited for (the sandbox,
    the worker, its forks; or the peer tool and everything it started)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def own_cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def taskaudit_run(task: Task, budget: int = 100_000):
    backend, language = get_backend(), get_language(task.language)
    reference = run_variant(task, reference_variant(task), backend, language)
    assert reference.status.value == "completed", reference.detail
    started, cpu = time.perf_counter(), own_cpu_seconds()
    run = run_mutation(task, reference_variant(task).workspace, reference, backend, language, budget=budget)
    # The sandbox kills its process tree as soon as the worker exits, so the kernel's child
    # accounting never sees the worker: its CPU is what it measured itself (getrusage inside
    # the sandbox), plus taskaudit's own generation and instrumentation here. Rebuilt mutants
    # (a few per task, outside the worker) are not included.
    run.stats["total_cpu_sec"] = own_cpu_seconds() - cpu + run.stats.get("worker_cpu_sec", 0.0)
    return run, time.perf_counter() - started


def stryker_bin() -> Path:
    home = CACHE / "stryker"
    binary = home / "node_modules" / ".bin" / "stryker"
    if not binary.exists() or not (home / "node_modules" / "@stryker-mutator" / "jest-runner").exists():
        home.mkdir(parents=True, exist_ok=True)
        if not (home / "package.json").exists():
            (home / "package.json").write_text('{"name": "bench-stryker", "private": true}\n')
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts", *STRYKER],
                       cwd=home, check=True, capture_output=True)
    return binary


def stryker_run(task: Task) -> tuple[int, float, Counter, float]:
    """(mutants, wall seconds, statuses, CPU seconds) of ``stryker run`` on the task's reference."""
    binary = stryker_bin()
    root = Path(tempfile.mkdtemp(prefix="bench-stryker-"))
    try:
        for path in task.solution_paths:
            target = root / "app" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(task.solution_files[path])
        for name, content in task.test_files.items():
            if name.endswith(".js"):
                (root / "tests").mkdir(exist_ok=True)
                (root / "tests" / name).write_bytes(content)
        config = {
            "testRunner": "command",
            "commandRunner": {"command": "node --test tests/"},
            "mutate": [f"app/{p}" for p in task.solution_paths],
            "concurrency": 1,
            "reporters": ["json"],
            "jsonReporter": {"fileName": "report.json"},
            "coverageAnalysis": "off",
            "plugins": [],
            # Stryker's default adds 5 s to every mutant's limit; taskaudit's floor is 1 s. The
            # same floor for both, so the comparison is not decided by how long timeouts last.
            "timeoutMS": 1000,
        }
        package = {"name": "bench-task", "private": True}
        if b'"jest"' in task.starter_files.get("package.json", b""):
            # The task's own pinned jest (the same node_modules taskaudit runs it with).
            from taskaudit.languages.javascript_support.toolchain import (
                dependencies_dir,
            )

            deps, problem = dependencies_dir(task.starter_files["package.json"], task.starter_files["package-lock.json"])
            if deps is None:
                raise RuntimeError(problem)
            (root / "node_modules").symlink_to(deps / "node_modules")
            package["jest"] = {"testEnvironment": "node", "roots": ["<rootDir>/tests"]}
            config.update(testRunner="jest", coverageAnalysis="perTest", plugins=["@stryker-mutator/jest-runner"])
            del config["commandRunner"]
        (root / "package.json").write_text(json.dumps(package) + "\n")
        (root / "stryker.config.json").write_text(json.dumps(config))
        started, cpu = time.perf_counter(), cpu_seconds()
        done = subprocess.run([str(binary), "run"], cwd=root, capture_output=True, text=True, timeout=3600, check=False)
        wall, cpu = time.perf_counter() - started, cpu_seconds() - cpu
        report = root / "report.json"
        if not report.exists():
            raise RuntimeError(f"Stryker wrote no report: {done.stdout[-800:]} {done.stderr[-800:]}")
        data = json.loads(report.read_text())
        mutants = [m for f in data["files"].values() for m in f["mutants"]]
        return len(mutants), wall, Counter(m["status"] for m in mutants), cpu
    finally:
        shutil.rmtree(root, ignore_errors=True)


def synthetic_task(functions: int) -> Task:
    source = "".join(f"function f{i}(x) {{\n  return x + {i + 2};\n}}\n" for i in range(functions))
    source += "module.exports = { " + ", ".join(f"f{i}" for i in range(functions)) + " };\n"
    tests = 'const { test } = require("node:test");\nconst assert = require("node:assert/strict");\n'
    tests += 'const m = require("../app/many.js");\n'
    tests += "".join(f'test("f{i}", () => {{ assert.equal(m.f{i}(1), {i + 3}); }});\n' for i in range(functions))
    return Task(id=f"synthetic-{functions}", source="benchmark", format="test", language="javascript",
                test_runner="node", statement="Implement many.js.",
                solution_files={"many.js": source.encode()}, test_files={"many.test.js": tests.encode()},
                solution_paths=["many.js"], timeout_sec=600)


# DESIGN.md's measured floor per mutant for JS (in-process, no module reload, a trivial test).
DESIGN_FLOOR_MS = 0.1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-stryker", action="store_true")
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--compare-functions", type=int, default=25,
                        help="size of the synthetic task both tools run (about 4 mutants a function)")
    args = parser.parse_args()

    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall times grow with the load)")
    # The examples have mutants that loop forever (timeouts weigh on both tools' wall time); the
    # synthetic task has none, so it compares the cost of running a mutant.
    for label, task in ((str(TASK.relative_to(ROOT)), load_tasks([str(TASK)])[0]),
                        (str(JEST_TASK.relative_to(ROOT)), load_tasks([str(JEST_TASK)])[0]),
                        (f"synthetic, {args.compare_functions} functions", synthetic_task(args.compare_functions))):
        run, wall = taskaudit_run(task)
        n = len(run.results)
        outcomes = Counter(r.outcome.value for r in run.results)
        print(f"\ntask: {label}")
        cpu = run.stats["total_cpu_sec"]
        print(f"{'tool':<14}{'mutants':>9}{'wall s':>9}{'wall ms/mutant':>16}{'CPU ms/mutant':>15}  outcomes")
        print(f"{'taskaudit':<14}{n:>9}{wall:>9.2f}{wall * 1000 / n:>16.1f}{cpu * 1000 / n:>15.1f}  {dict(outcomes)}")
        median = run.stats.get("median_ms_per_mutant", float("nan"))
        print(f"  taskaudit, a killed/surviving mutant's median (the worker's own time): {median:.2f} ms wall, "
              f"{run.stats.get('median_cpu_ms_per_mutant', float('nan')):.2f} ms CPU "
              f"(DESIGN.md floor {DESIGN_FLOOR_MS} ms: {median / DESIGN_FLOOR_MS:.1f}x); "
              f"{run.stats.get('worker_reloads', 0)} module reloads; "
              f"worker peak {run.stats.get('worker_peak_rss_mib', float('nan')):.1f} MiB; notes: {run.notes}")
        if not args.skip_stryker:
            count, s_wall, statuses, s_cpu = stryker_run(task)
            print(f"{'stryker 9.6.1':<14}{count:>9}{s_wall:>9.2f}{s_wall * 1000 / count:>16.1f}"
                  f"{s_cpu * 1000 / count:>15.1f}  {dict(statuses)}")
            print(f"ratio (Stryker / taskaudit): wall per mutant {(s_wall / count) / (wall / n):.1f}x, "
                  f"CPU per mutant {(s_cpu / count) / (cpu / n):.1f}x")

    print("\nflat curve (synthetic task, one mutant at a time):")
    print(f"{'mutants':>8}{'wall s':>9}{'ms/mutant':>11}{'cpu ms/mutant':>15}{'peak MiB':>10}")
    sizes = [int(s) for s in args.sizes.split(",")]
    # One task with enough mutation points for the largest size: only the budget changes.
    synthetic = synthetic_task(max(sizes) // 4 + 1)
    for size in sizes:
        run, wall = taskaudit_run(synthetic, budget=size)
        k = len(run.results)
        s = run.stats
        print(f"{k:>8}{wall:>9.2f}{wall * 1000 / k:>11.2f}{s.get('worker_cpu_sec', 0) * 1000 / k:>15.2f}"
              f"{s.get('worker_peak_rss_mib', 0):>10.1f}")


if __name__ == "__main__":
    main()
