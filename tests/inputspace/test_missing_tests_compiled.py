"""Missing tests written out for Go and Rust: in the task's own style, and verified by running
them (pass on the reference, fail on the wrong variant) in the sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.inputspace import InputSpaceCheck
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.formats import load_tasks
from taskaudit.inputspace.execute import CallResult
from taskaudit.inputspace.missing_tests_go import go_test, result_types
from taskaudit.inputspace.missing_tests_rust import crate_name, rust_test
from taskaudit.inputspace.signature import Target
from taskaudit.model import Task
from taskaudit.sandbox import get_backend

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tasks"


@pytest.mark.parametrize(("language", "marker"), [("go", "func TestTaskauditMissing"), ("rust", "#[test]")])
def test_weak_tests_example_gets_a_verified_missing_test(language, marker):
    tasks = load_tasks([EXAMPLES / language / "weak-tests"])
    report = audit(tasks, get_backend(None), AuditConfig(reference_runs=1), jobs=1,
                   checks=[ReferenceCheck(), InputSpaceCheck()])
    [task] = report.tasks
    w302 = [f for f in task.findings if f.code == "W302"]
    assert w302
    verified = [f.evidence["missing_test"] for f in w302 if "missing_test" in f.evidence]
    assert verified, [f.evidence.get("missing_test_unverified") for f in w302]
    for test in verified:
        assert test["passes_on_reference"] is True and test["fails_on_variant"] is True
        assert marker in test["source"]
        # it pins the witness input of its finding
        finding = next(f for f in w302 if f.evidence.get("missing_test") is test)
        assert finding.evidence["input"].split("(", 1)[1].split(")")[0].strip("'") in test["source"]


def _go_task(source: str, tests: dict[str, str]) -> Task:
    return Task(id="t", source="x", format="harbor", language="go", test_runner="go", statement="",
                starter_files={"go.mod": b"module example.com/calc\n\ngo 1.21\n"},
                solution_files={"calc/calc.go": source.encode()},
                test_files={k: v.encode() for k, v in tests.items()})


GO_SOURCE = """package calc

func Mean(xs []float64) (float64, error) { return 0, nil }
func Evens(xs []int) []int { return nil }
func Pick(xs []int, i int) int { return xs[i] }
"""


def test_go_test_follows_the_tests_package_and_checks_each_result_as_compared():
    task = _go_task(GO_SOURCE, {"calc/calc_test.go": "package calc\n\nimport \"testing\"\n"})
    assert result_types(GO_SOURCE.encode(), "Mean") == ["float64", "error"]
    mean = Target("calc", "Mean", [], "calc/calc.go", 3, native_types=["[]float64"])
    test = go_test(task, mean, ([1.0, 2.0],), CallResult("value", value={"tuple": [1.5, None]}), "xs: small")
    assert test.path == "calc/taskaudit_missing_test.go"
    assert "package calc\n" in test.source and "calc.Mean" not in test.source  # same package: unqualified
    assert "Mean([]float64{float64(1.0), float64(2.0)})" in test.source and "math.Abs(float64(got0)-1.5)" in test.source
    assert "if got1 != nil" in test.source
    evens = Target("calc", "Evens", [], "calc/calc.go", 4, native_types=["[]int"])
    nil_slice = go_test(task, evens, ([1],), CallResult("value", value={"repr": "nil slice", "type": "slice"}), "x")
    assert "if got0 != nil" in nil_slice.source
    pick = Target("calc", "Pick", [], "calc/calc.go", 5, native_types=["[]int", "int"])
    panics = go_test(task, pick, ([], 0), CallResult("raise", error="panic", message="index out of range"), "xs: empty")
    assert "recover() == nil" in panics.source


def test_go_test_in_an_external_test_package_imports_the_module_path():
    task = _go_task(GO_SOURCE, {"calc/calc_test.go": "package calc_test\n"})
    evens = Target("calc", "Evens", [], "calc/calc.go", 4, native_types=["[]int"])
    test = go_test(task, evens, ([1, 2],), CallResult("value", value=[2]), "xs: small")
    assert '"example.com/calc/calc"' in test.source and "calc.Evens([]int{int(1), int(2)})" in test.source
    assert "reflect.DeepEqual(got0, want)" in test.source and "want := []int{int(2)}" in test.source


def test_rust_test_pins_the_debug_text_or_the_panic():
    task = Task(id="t", source="x", format="harbor", language="rust", test_runner="cargo", statement="",
                solution_files={"Cargo.toml": b'[package]\nname = "my-lib"\n', "src/lib.rs": b""},
                test_files={"it.rs": b""})
    assert crate_name(task, "src/lib.rs") == "my_lib"
    target = Target("src/lib.rs", "parse", [], "src/lib.rs", 1, native_types=["&str"])
    test = rust_test(task, target, ("1a",), CallResult("value", value={"repr": 'Err("bad")', "type": "debug"}), "s: digits")
    assert "use my_lib::parse;" in test.source
    assert 'assert_eq!(format!("{:?}", parse("1a")), "Err(\\"bad\\")");' in test.source
    panics = rust_test(task, target, ("",), CallResult("raise", error="panic"), "s: empty")
    assert "#[should_panic]" in panics.source
