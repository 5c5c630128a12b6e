"""Same task, same inputs run, same evidence: what the input-space check runs is a function of
the task's content, never of how fast the machine is (docs/inputspace.md, "Determinism and the
time budget"). A time budget may only end a run, and then it says so (W307)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.inputspace import InputSpaceCheck
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.formats import load_tasks
from taskaudit.inputspace import analysis as ia
from taskaudit.inputspace.execute import Call, not_run_for_budget, run_python
from taskaudit.languages.python import PythonLanguage
from taskaudit.sandbox import get_backend

ROOT = Path(__file__).resolve().parents[2]
TASKS = [ROOT / "examples" / "tasks" / "python" / "weak-tests", ROOT / "examples" / "tasks" / "go" / "weak-tests"]

# One audit of the tasks given, printed as JSON: the input-space check's status, score, metrics
# and every finding (message, location, evidence) — everything but the seconds it took.
AUDIT_SCRIPT = """
import json, sys
from pathlib import Path
from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.inputspace import InputSpaceCheck
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.formats import load_tasks
from taskaudit.sandbox import get_backend

tasks = load_tasks([Path(p) for p in sys.argv[1:]])
report = audit(tasks, get_backend(None), AuditConfig(reference_runs=1), jobs=1,
               checks=[ReferenceCheck(), InputSpaceCheck()])
out = []
for task in report.tasks:
    record = next(c for c in task.checks if c.name == "inputspace")
    out.append({"status": record.status.value, "reason": record.reason, "score": record.score,
                "metrics": record.metrics,
                "findings": [f.model_dump(mode="json") for f in task.findings if f.check == "inputspace"]})
print(json.dumps(out, sort_keys=True))
"""


def _audit_in_new_process(hash_seed: str) -> list[dict]:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}  # set iteration order differs too
    done = subprocess.run([sys.executable, "-c", AUDIT_SCRIPT, *map(str, TASKS)], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_two_processes_run_the_same_inputs_and_report_the_same_evidence():
    first, second = _audit_in_new_process("1"), _audit_in_new_process("2")
    assert [t["status"] for t in first] == ["ran", "ran"], first
    for task in first:  # the comparison means something: there is evidence to compare
        assert {"W301", "W302"} <= {f["code"] for f in task["findings"]}
        assert task["metrics"]["calls_not_run_budget"] == 0
    assert first == second


def test_inputs_given_to_rivals_depend_on_counts_not_on_times():
    probes = [ia.Probe(None, (i,), "test" if i < 3 else "variation", set(), "stated", [], size=100 - i)
              for i in range(200)]
    chosen = ia.rival_inputs(list(range(200)), probes, rivals=500)
    # every test input, then the smallest generated ones, MIN_RIVAL_INPUTS in all
    assert chosen[:3] == [0, 1, 2] and len(chosen) == ia.MIN_RIVAL_INPUTS
    assert chosen[3:] == list(range(200 - (ia.MIN_RIVAL_INPUTS - 3), 200))
    assert ia.rival_inputs(list(range(200)), probes, rivals=10) == list(range(200))


def test_a_spent_budget_is_reported_as_calls_not_run():
    ws = {"m.py": b"import time\ndef f(x):\n    time.sleep(0.2)\n    return x\n"}
    calls = [Call("f", (i,)) for i in range(6)]
    [row] = run_python(get_backend(None), PythonLanguage().toolchain_mounts(), "m", [ws], calls,
                       call_seconds=1.0, budget_seconds=0.3)
    assert [r.kind for r in row[:2]] == ["value", "value"]
    assert {(r.kind, r.message) for r in row[3:]} == {("skipped", "budget")}
    assert not_run_for_budget([row]) == sum(r.kind == "skipped" for r in row) >= 3


def test_check_says_w307_when_the_rivals_budget_ran_out(monkeypatch):
    monkeypatch.setattr(ia, "RIVALS_BUDGET_SECONDS", 0.0)
    tasks = load_tasks([TASKS[0]])
    report = audit(tasks, get_backend(None), AuditConfig(reference_runs=1), jobs=1,
                   checks=[ReferenceCheck(), InputSpaceCheck()])
    [task] = report.tasks
    [w307] = [f for f in task.findings if f.code == "W307"]
    assert w307.evidence["not_run"]["rivals"] > 0
    record = next(c for c in task.checks if c.name == "inputspace")
    assert record.metrics["calls_not_run_budget"] == w307.evidence["not_run"]["rivals"]
    assert not [f for f in task.findings if f.code == "W302"]  # nothing claimed from calls not run


def test_unanswered_calls_are_reported_by_why_they_were_not_run():
    from types import SimpleNamespace

    from taskaudit.inputspace.execute import collect

    lines = [
        {"variant": 0, "call": 0, "value": 1},
        # call 1: no answer, yet call 2 answered -> the call ended its worker: "lost"
        {"variant": 0, "call": 2, "value": 3},
        {"variant": 0, "call": 3, "skipped": "no literal"},  # a compiled harness could not write it
        # call 4: never answered, the harness finished: the budget ran out
        {"variant": 1, "call": 0, "timeout": True},
        {"variant": 1, "call": 1, "timeout": True},
        # calls 2-4 of variant 1: after its two timeouts
        {"done": True},
    ]
    stdout = "".join(f"N {json.dumps(r)}\n" for r in lines).encode()
    process = SimpleNamespace(timed_out=False, limit_hit=None, stderr=b"", exit_code=0)
    first, second = collect(stdout, "N", 2, 5, process)
    assert [(r.kind, r.message) for r in first] == [
        ("value", ""), ("lost", ""), ("value", ""), ("skipped", "no literal"), ("skipped", "budget")]
    assert [(r.kind, r.message) for r in second][2:] == [("skipped", "after timeouts")] * 3
    assert not_run_for_budget([first, second]) == 1


def test_a_spent_budget_is_reported_by_the_javascript_harness_too():
    from taskaudit.inputspace.execute import run_batch

    ws = {"m.js": b"function f(x) { const end = Date.now() + 200; while (Date.now() < end) {} return x; }\n"
                  b"module.exports = { f };\n"}
    calls = [Call("f", (i,)) for i in range(6)]
    [row] = run_batch("javascript", get_backend(None), [], "m.js", [ws], calls, call_seconds=1.0, budget_seconds=0.3)
    assert row[0].kind == "value"
    assert row[-1].kind == "skipped" and row[-1].message == "budget"
    assert not_run_for_budget([row]) == sum(r.kind == "skipped" for r in row) >= 3


def test_hypothesis_draws_do_not_depend_on_the_modules_loaded(tmp_path, monkeypatch):
    """Hypothesis mixes literals of every non-library module in sys.modules into its draws; the
    same task drew other inputs under pytest, in the CLI and in a Ray worker until they were
    hidden (generate._without_local_constants). Loading a module full of odd literals between
    two draws must not change what is drawn."""
    import importlib

    from taskaudit.inputspace.generate import hypothesis_inputs
    from taskaudit.inputspace.shapes import Shape

    shapes = [Shape("str"), Shape("int")]
    before = hypothesis_inputs(shapes, 1234, 60)
    literals = ", ".join(repr(f"zq{i}x\u00e7") for i in range(200)) + ", " + ", ".join(str(7919 * i) for i in range(200))
    (tmp_path / "odd_literals_module.py").write_text(f"VALUES = [{literals}]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("odd_literals_module")
    after = hypothesis_inputs(shapes, 1234, 60)
    assert after == before
    assert not any(isinstance(a[0], str) and a[0].startswith("zq") for a in after)
