"""Survivors of the compiled languages classified on generated inputs (``inputspace/hook.py``,
the engine's ``differ``): a mutant no generated input tells apart from the reference is likely
equivalent and does not count against the score; one that answers some input differently is
behavioural, with that input as its witness.

Each task here has one mutant that is equivalent by construction (``a >= b`` -> ``a > b`` in
a max: when a == b both return the same number) and a guard no test exercises (negative
inputs to a clamp), whose removal is a behavioural survivor.
"""

from __future__ import annotations

import shutil

import pytest

from taskaudit.inputspace.hook import make_differ
from taskaudit.languages import get_language
from taskaudit.model import RunStatus, Task
from taskaudit.mutation.engine import run_mutation
from taskaudit.mutation.model import Outcome, SurvivorKind
from taskaudit.runner import reference_variant, run_variant
from taskaudit.sandbox import get_backend

STATEMENT = "Max returns the larger of two integers. Clamp returns x, or 0 when x is negative."

GO = Task(
    id="go-classify", source="test", format="test", language="go", test_runner="go", statement=STATEMENT,
    starter_files={"go.mod": b"module nums\n\ngo 1.21\n"},
    solution_files={"nums.go": b"""package nums

// Max returns the larger of a and b.
func Max(a, b int) int {
\tif a >= b {
\t\treturn a
\t}
\treturn b
}

// Clamp returns x, or 0 when x is negative.
func Clamp(x int) int {
\tif x < 0 {
\t\treturn 0
\t}
\treturn x
}
"""},
    test_files={"nums_test.go": b"""package nums

import "testing"

func TestMax(t *testing.T) {
\tif Max(3, 1) != 3 || Max(1, 3) != 3 {
\t\tt.Fatal("Max")
\t}
}

func TestClamp(t *testing.T) {
\tif Clamp(5) != 5 {
\t\tt.Fatal("Clamp")
\t}
}
"""},
    solution_paths=["nums.go"],
)

JAVA = Task(
    id="java-classify", source="test", format="test", language="java", test_runner="junit", statement=STATEMENT,
    solution_files={"Nums.java": b"""public final class Nums {
    private Nums() {}

    public static int max(int a, int b) {
        if (a >= b) {
            return a;
        }
        return b;
    }

    public static int clamp(int x) {
        if (x < 0) {
            return 0;
        }
        return x;
    }
}
"""},
    test_files={"NumsTest.java": b"""import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NumsTest {
    @Test
    void max() {
        assertEquals(3, Nums.max(3, 1));
        assertEquals(3, Nums.max(1, 3));
    }

    @Test
    void clamp() {
        assertEquals(5, Nums.clamp(5));
    }
}
"""},
    solution_paths=["Nums.java"],
)

RUST = Task(
    id="rust-classify", source="test", format="test", language="rust", test_runner="cargo",
    statement=STATEMENT.replace("Max", "max").replace("Clamp", "clamp"),
    starter_files={"Cargo.toml": b'[package]\nname = "nums"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n'},
    solution_files={"src/lib.rs": b"""/// The larger of a and b.
pub fn max(a: i64, b: i64) -> i64 {
    if a >= b {
        return a;
    }
    b
}

/// x, or 0 when x is negative.
pub fn clamp(x: i64) -> i64 {
    if x < 0 {
        return 0;
    }
    x
}
"""},
    test_files={"nums_test.rs": b"""use nums::{clamp, max};

#[test]
fn max_works() {
    assert_eq!(max(3, 1), 3);
    assert_eq!(max(1, 3), 3);
}

#[test]
fn clamp_works() {
    assert_eq!(clamp(5), 5);
}
"""},
    solution_paths=["src/lib.rs"],
)


def _classified(task: Task):
    backend, language = get_backend(), get_language(task.language)
    variant = reference_variant(task)
    reference = run_variant(task, variant, backend, language)
    assert reference.status == RunStatus.COMPLETED, reference.detail
    differ = make_differ(task, variant.workspace, backend, language)
    assert differ is not None, f"no input harness for {task.language}"
    run = run_mutation(task, variant.workspace, reference, backend, language, differ=differ)
    return [r for r in run.results if r.outcome == Outcome.SURVIVED], run


def _check(survivors, run, equivalent_line: int, guard_line: int):
    kinds = {(r.mutant.line, r.mutant.operator): r for r in survivors}
    equivalent = kinds.get((equivalent_line, "boundary"))
    assert equivalent is not None, [(r.mutant.id, r.survivor_kind) for r in survivors]
    assert equivalent.survivor_kind == SurvivorKind.LIKELY_EQUIVALENT, equivalent
    guard = kinds.get((guard_line, "remove_guard"))
    assert guard is not None, [(r.mutant.id, r.survivor_kind) for r in survivors]
    assert guard.survivor_kind == SurvivorKind.BEHAVIOURAL and guard.witness, guard
    assert "-" in guard.witness["input"]  # a negative x: the input no test gave
    assert guard.witness["reference"] != guard.witness["mutant"]
    # The equivalent survivor does not count against the score; the behavioural one does.
    assert run.score is not None and run.score < 1.0


@pytest.mark.skipif(shutil.which("go") is None, reason="no Go toolchain on this machine")
def test_go_survivors_are_classified():
    survivors, run = _classified(GO)
    _check(survivors, run, equivalent_line=5, guard_line=13)


@pytest.mark.skipif(shutil.which("javac") is None, reason="no JDK on this machine")
def test_java_survivors_are_classified():
    survivors, run = _classified(JAVA)
    _check(survivors, run, equivalent_line=5, guard_line=12)


@pytest.mark.skipif(shutil.which("cargo") is None, reason="no Rust toolchain on this machine")
def test_rust_survivors_are_classified():
    survivors, run = _classified(RUST)
    _check(survivors, run, equivalent_line=3, guard_line=11)
