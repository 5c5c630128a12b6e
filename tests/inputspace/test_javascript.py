"""Input-space analysis of JavaScript tasks: the static readers, and the check on the examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.inputspace import InputSpaceCheck
from taskaudit.checks.registry import default_checks
from taskaudit.formats import load_tasks
from taskaudit.inputspace import javascript as js
from taskaudit.model import Severity, Task, Verdict
from taskaudit.sandbox import get_backend

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tasks" / "javascript"

SOLUTION = b"""
function top(xs, k) { return [...new Set(xs)].sort((a, b) => a - b).slice(-k); }
const lower = (s) => s.trim().toLowerCase();
function hidden(x) { return x; }
function guard(n) { if (n <= 0) { throw new RangeError("n"); } return Math.abs(n); }
module.exports = { top, lower, guard };
"""
TESTS = b"""
const { test } = require("node:test");
const { top, lower } = require("../app/m.js");
test("t", () => { top([3, 1, -2.5], 2); lower(`A b`); lower("x".repeat(3)); top(someVar, 1); top([{a: null}], -1); });
"""


def _task() -> Task:
    return Task(id="m", source="m", format="harbor", language="javascript", test_runner="node",
                statement="Write guard(n).", solution_files={"m.js": SOLUTION},
                solution_paths=["m.js"], test_files={"m.test.js": TESTS})


def test_targets_are_exported_functions_the_tests_call_or_the_statement_names():
    task = _task()
    found = {t.function: [p.name for p in t.params] for t in js.targets(task, task.solution_files)}
    assert found == {"top": ["xs", "k"], "lower": ["s"], "guard": ["n"]}  # hidden is not exported


def test_seeds_are_the_literal_arguments_of_test_calls():
    task = _task()
    by_name = {t.function: t for t in js.targets(task, task.solution_files)}
    assert js.seeds(task.test_files, by_name["top"]) == [([3, 1, -2.5], 2), ([{"a": None}], -1)]
    assert js.seeds(task.test_files, by_name["lower"]) == [("A b",), ("xxx",)]


def test_plausible_wrong_variants_parse():
    edits = js.plausible_wrong("m.js", SOLUTION)
    descriptions = " | ".join(e.description for e in edits)
    for expected in ("new Set", ".sort() removed", ".trim() removed", ".toLowerCase() removed",
                     "Math.abs", "<= narrowed to <", "special case"):
        assert expected in descriptions
    assert all(not js._parse(e.apply(SOLUTION)).has_error for e in edits)


@pytest.fixture(scope="module")
def reports():
    tasks = load_tasks([EXAMPLES / "weak-tests", EXAMPLES / "good"])
    report = audit(tasks, get_backend(None), AuditConfig(reference_runs=1), jobs=2,
                   checks=[*default_checks(), InputSpaceCheck()])
    return {Path(t.source).name: t for t in report.tasks}


def test_weak_javascript_tests_get_a_wrong_passing_variant_with_a_verified_node_test(reports):
    report = reports["weak-tests"]
    w302 = [f for f in report.findings if f.code == "W302"]
    digits = next(f for f in w302 if "[0-9]" in f.evidence["change"])
    assert digits.evidence["reference_output"].startswith("raises RangeError")
    missing = digits.evidence["missing_test"]
    assert missing["passes_on_reference"] and missing["fails_on_variant"]
    assert 'require("../app/rle.js")' in missing["source"] and "assert.throws" in missing["source"]
    assert any("text digits" in f.message for f in report.findings if f.code == "W301")


def test_good_javascript_example_stays_accept(reports):
    report = reports["good"]
    assert report.verdict == Verdict.ACCEPT
    assert not [f for f in report.findings if f.code.startswith("W3") and f.severity != Severity.INFO]
    record = next(c for c in report.checks if c.name == "inputspace")
    assert record.status.value == "ran" and record.metrics["wrong_variants_rejected"] >= 1


def test_typescript_is_transpiled_for_the_harness_and_gets_a_verified_ts_test():
    tasks = load_tasks([EXAMPLES.parent / "typescript" / "weak-tests"])
    [report] = audit(tasks, get_backend(None), AuditConfig(reference_runs=1), jobs=2,
                     checks=[*default_checks(), InputSpaceCheck()]).tasks
    digits = next(f for f in report.findings if f.code == "W302" and "[0-9]" in f.evidence["change"])
    missing = digits.evidence["missing_test"]
    assert missing["path"].endswith(".test.ts") and 'from "../app/rle"' in missing["source"]
    assert missing["passes_on_reference"] and missing["fails_on_variant"]


def test_typescript_signatures_read_with_the_typescript_grammar():
    source = b"export function top(xs: number[], name: string): number { if (xs.length <= 1) { return 0; } return xs[0]; }\n"
    task = Task(id="t", source="t", format="harbor", language="typescript", test_runner="node",
                statement="", solution_files={"m.ts": source}, solution_paths=["m.ts"],
                test_files={"m.test.ts": b'import { top } from "../app/m";\ntop([1, 2] as number[], "a");\ntop([3], "b");\n'})
    [target] = js.targets(task, task.solution_files)
    assert [p.name for p in target.params] == ["xs", "name"] and js.js_module_path(target) == "m.js"
    assert js.seeds(task.test_files, target) == [([3], "b")]  # `as number[]` is not a literal
    assert any("special case" in e.description for e in js.plausible_wrong("m.ts", source))
