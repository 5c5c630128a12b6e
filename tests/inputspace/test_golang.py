"""Input-space analysis of Go tasks: the static readers, the generated harness, the weak example."""

from __future__ import annotations

from pathlib import Path

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.inputspace import InputSpaceCheck
from taskaudit.checks.registry import default_checks
from taskaudit.formats import load_tasks
from taskaudit.inputspace import golang
from taskaudit.inputspace.execute import Call
from taskaudit.inputspace.execute_compiled import run_go
from taskaudit.model import Task
from taskaudit.sandbox import get_backend

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tasks" / "go"

SOLUTION = b"""package calc

import "strings"

func Top(xs []int, k int) int { if k <= 0 { return 0 }; return xs[0] + k }
func Lower(s string) string { return strings.ToLower(s) }
func Both(a, b float64) (float64, error) { return a / b, nil }
func hidden(x int) int { return x }
"""
TESTS = b"""package calc_test

import ("testing"; "calc")

func lowerOK(t *testing.T, s string) string { t.Helper(); return calc.Lower(s) }

func TestX(t *testing.T) {
	calc.Top([]int{3, -1}, 2)
	lowerOK(t, `Raw`)
	calc.Both(1.5, -2)
	calc.Top(someVar, 1)
}
"""


def _task() -> Task:
    return Task(id="g", source="g", format="harbor", language="go", test_runner="go",
                statement="Write Both.", solution_files={"calc.go": SOLUTION, "go.mod": b"module calc\n\ngo 1.21\n"},
                solution_paths=["calc.go"], test_files={"calc_test.go": TESTS})


def test_targets_seeds_and_helpers():
    task = _task()
    found = {t.function: t for t in golang.targets(task, task.solution_files)}
    assert set(found) == {"Top", "Lower", "Both"}
    assert found["Both"].native_types == ["float64", "float64"]
    assert golang.seeds(task.test_files, found["Top"]) == [([3, -1], 2)]
    assert golang.seeds(task.test_files, found["Lower"]) == [("Raw",)]  # through the helper
    assert golang.seeds(task.test_files, found["Both"]) == [(1.5, -2)]


def test_plausible_wrong_variants_and_literals():
    edits = golang.plausible_wrong("calc.go", SOLUTION)
    descriptions = " | ".join(e.description for e in edits)
    assert "strings.ToLower(...) removed" in descriptions and "<= narrowed to <" in descriptions
    assert "special case" in descriptions
    assert golang.literal([1, -2], "[]int") == "[]int{int(1), int(-2)}"
    assert golang.literal({"a": 1.5}, "map[string]float64") == 'map[string]float64{"a": float64(1.5)}'


def test_harness_builds_all_variants_once_and_leaves_out_one_that_does_not_compile():
    task = _task()
    broken = SOLUTION.replace(b"return strings.ToLower(s)", b"unused := 1; return s")
    workspaces = [task.solution_files, {**task.solution_files, "calc.go": broken}]
    calls = [Call("Both", (1.0, 4.0), ("float64", "float64")), Call("Both", (1.0, 0.0), ("float64", "float64")),
             Call("Lower", ("AbC",), ("string",))]
    reference, dropped = run_go(get_backend(None), ".", workspaces, calls)
    assert [r.shown() for r in reference] == ["(0.25, None)", "(inf, None)", "'abc'"]
    assert [r.kind for r in dropped] == ["lost", "lost", "lost"]


def test_weak_go_tests_get_untested_classes_and_wrong_passing_variants():
    tasks = load_tasks([EXAMPLES / "weak-tests"])
    [report] = audit(tasks, get_backend(None), AuditConfig(reference_runs=1), jobs=2,
                     checks=[*default_checks(), InputSpaceCheck()]).tasks
    w302 = [f for f in report.findings if f.code == "W302"]
    assert any("IndexFunc" in f.evidence["change"] and "decimal digit" in f.evidence["reference_output"] for f in w302)
    assert any(f.code == "W301" and "no test calls Decode()" in f.message for f in report.findings)
