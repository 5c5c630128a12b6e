"""A reference solution that exits early with success is reported failing, with evidence, in
every language: the audit's verdict is REJECT and the finding carries the run's status, command
and the detail that says which test target or file ended early. (Each language's own tests pin
the many ways to exit; this pins the audit-level report, one way per language.)"""

from __future__ import annotations

import pytest

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.model import Task
from taskaudit.sandbox import get_backend

JAVA_TEST = b"""import static org.junit.jupiter.api.Assertions.assertEquals;
import org.junit.jupiter.api.Test;

class CalcTest {
    @Test
    void small() { assertEquals(3, Calc.add(1, 2)); }
}
"""
GO_TEST = b"""package calc

import "testing"

func TestSmall(t *testing.T) {
\tif Add(1, 2) != 3 {
\t\tt.Fatal("Add(1, 2) != 3")
\t}
}
"""
CASES = {
    # language: (starter, solution, tests)
    "python": ({}, {"calc.py": b"import os\nos._exit(0)\ndef add(a, b):\n    return a + b\n"},
               {"test_calc.py": b"from calc import add\n\ndef test_small():\n    assert add(1, 2) == 3\n"}),
    "javascript": ({}, {"calc.js": b"process.exit(0);\nexports.add = (a, b) => a + b;\n"},
                   {"calc.test.js": b'const { test } = require("node:test");\nconst assert = require("node:assert");\n'
                                    b'const { add } = require("../app/calc.js");\n'
                                    b'test("small", () => { assert.strictEqual(add(1, 2), 3); });\n'}),
    "go": ({"go.mod": b"module calc\n\ngo 1.21\n"},
           {"calc.go": b'package calc\n\nimport "os"\n\nfunc init() { os.Exit(0) }\n\nfunc Add(a, b int) int { return a + b }\n'},
           {"calc_test.go": GO_TEST}),
    "rust": ({}, {"Cargo.toml": b'[package]\nname = "calc"\nversion = "0.1.0"\nedition = "2021"\n',
                  "src/lib.rs": b"pub fn add(a: i64, b: i64) -> i64 {\n    std::process::exit(0);\n}\n"},
             {"add_test.rs": b"use calc::add;\n\n#[test]\nfn small() {\n    assert_eq!(add(1, 2), 3);\n}\n"}),
    "java": ({}, {"Calc.java": b"class Calc {\n    static { System.exit(0); }\n    static int add(int a, int b) { return a + b; }\n}\n"},
             {"CalcTest.java": JAVA_TEST}),
}


@pytest.fixture(scope="module")
def report():
    tasks = [
        Task(id=language, source="<test>", format="test", language=language, test_runner="default",
             statement="Write add(a, b) returning the sum of two integers.", starter_files=starter,
             solution_files=solution, test_files=tests, solution_paths=sorted(solution), timeout_sec=120)
        for language, (starter, solution, tests) in CASES.items()
    ]
    result = audit(tasks, get_backend(None), AuditConfig(reference_runs=1), jobs=2, checks=[ReferenceCheck()])
    return {t.task_id: t for t in result.tasks}


@pytest.mark.parametrize("language", sorted(CASES))
def test_early_successful_exit_is_reported_failing_with_evidence(report, language):
    task = report[language]
    assert task.verdict.value == "REJECT", (task.error, [f.message for f in task.findings])
    (finding,) = [f for f in task.findings if f.code == "V002"]  # reference run does not complete
    assert finding.severity.value == "error"
    evidence = finding.evidence
    assert evidence["status"] == "incomplete", evidence
    assert evidence["command"] and "no result of this run is trusted" in evidence["detail"] or (
        "exited early" in evidence["detail"]
    ), evidence
    (run,) = task.runs
    assert not run.tests or all(t.outcome.value != "passed" for t in run.tests)
