"""Input-space analysis of Java tasks: the static readers, the generated harness, the examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.inputspace import InputSpaceCheck
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.formats import load_tasks
from taskaudit.inputspace import java
from taskaudit.inputspace.execute import Call
from taskaudit.inputspace.execute_compiled import run_java
from taskaudit.model import Severity, Task
from taskaudit.sandbox import get_backend

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tasks" / "java"

SOURCE = b"""package calc;
import java.util.*;
public final class Calc {
    public static int top(int[] xs, int k) { if (k <= 0) { return 0; } int[] v = xs.clone(); Arrays.sort(v); return v[v.length - 1] + k; }
    public static String lower(String s) { return s.trim().toLowerCase(); }
    public static int parse(String s) { return Integer.parseInt(s); }
    static int hidden(int x) { return x; }
}
"""
TESTS = b"""import calc.Calc;
class CalcTest { void t() { Calc.top(new int[] {3, -1}, 2); Calc.lower(" AbC "); Calc.parse("12"); } }
"""


def _task() -> Task:
    return Task(id="j", source="j", format="harbor", language="java", test_runner="junit",
                statement="Write top, lower and parse; parse throws IllegalArgumentException.",
                solution_files={"src/main/java/calc/Calc.java": SOURCE},
                solution_paths=["src/main/java/calc/Calc.java"], test_files={"CalcTest.java": TESTS})


def test_targets_seeds_and_variants():
    task = _task()
    found = {t.function: t for t in java.targets(task, task.solution_files)}
    assert set(found) == {"top", "lower", "parse"} and found["top"].module == "calc.Calc"
    assert java.seeds(task.test_files, found["top"]) == [([3, -1], 2)]
    descriptions = " | ".join(e.description for e in java.plausible_wrong("Calc.java", SOURCE))
    for expected in ("special case", "Arrays.sort(...) call dropped", ".trim() removed", "<= narrowed to <"):
        assert expected in descriptions
    assert java.literal("é\"", "String") == '"\\u00e9\\""' and java.literal([1, 2], "int[]") == "new int[]{1, 2}"


def test_harness_compiles_each_variant_and_treats_subclass_exceptions_as_the_same():
    task = _task()
    path = "src/main/java/calc/Calc.java"
    throws_subclass = SOURCE.replace(b"return Integer.parseInt(s);",
                                     b"if (s.isEmpty()) throw new IllegalArgumentException(\"empty\"); return Integer.parseInt(s);")
    broken = SOURCE.replace(b"return s.trim().toLowerCase();", b"return 1;")
    calls = [Call("parse", ("x",), ("String",)), Call("lower", (" AB ",), ("String",))]
    ref, same, lost = run_java(get_backend(None), "calc.Calc",
                               [task.solution_files, {path: throws_subclass}, {path: broken}], calls)
    assert ref[0].error == "NumberFormatException" and "IllegalArgumentException" in ref[0].bases
    assert same[0].same_as(ref[0])
    assert ref[1].shown() == "String:ab" and same[1].same_as(ref[1])
    assert [r.kind for r in lost] == ["lost", "lost"] and "does not compile" in lost[0].message


@pytest.fixture(scope="module")
def reports():
    tasks = load_tasks([EXAMPLES / "weak-tests", EXAMPLES / "good"])
    report = audit(tasks, get_backend(None), AuditConfig(reference_runs=1), jobs=2,
                   checks=[ReferenceCheck(), InputSpaceCheck()])
    return {Path(t.source).name: t for t in report.tasks}


def test_weak_java_tests_get_wrong_passing_variants(reports):
    findings = reports["weak-tests"].findings
    digits = next(f for f in findings if f.code == "W302" and "special case `if (c >= '0'" in f.evidence["change"])
    missing = digits.evidence["missing_test"]  # a JUnit test, run: passes on the reference, fails on the variant
    assert missing["passes_on_reference"] and missing["fails_on_variant"]
    assert "assertThrows(IllegalArgumentException.class, () -> Rle.encode(" in missing["source"]
    assert any(f.code == "W301" and "no test calls decode()" in f.message for f in findings)


def test_good_java_example_has_no_input_space_warning(reports):
    # NumberFormatException is an IllegalArgumentException: assertThrows accepts it, and so does the comparison.
    assert not [f for f in reports["good"].findings if f.code.startswith("W3") and f.severity != Severity.INFO]
