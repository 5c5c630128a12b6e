"""Input-space analysis of Rust tasks: the static readers, the generated harness, the weak example."""

from __future__ import annotations

from pathlib import Path

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.inputspace import InputSpaceCheck
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.formats import load_tasks
from taskaudit.inputspace import rust
from taskaudit.inputspace.execute import Call
from taskaudit.inputspace.execute_compiled import run_rust
from taskaudit.model import Task
from taskaudit.sandbox import get_backend

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "tasks" / "rust"

LIB = b"""pub fn top(xs: &[i64], k: usize) -> i64 {
    if k == 0 { return 0; }
    let mut v = xs.to_vec();
    v.sort();
    v[v.len() - 1] + k as i64
}
pub fn lower(s: &str) -> String { s.trim().to_lowercase() }
fn hidden(x: i32) -> i32 { x }
"""
TESTS = b"""use calc::{top, lower};
#[test]
fn t() {
    assert_eq!(top(&[3, -1], 2), 5);
    assert_eq!(lower(" AbC "), "abc");
    let r = calc::lower(&"x".repeat(3));
}
"""


def _task() -> Task:
    return Task(id="r", source="r", format="harbor", language="rust", test_runner="cargo",
                statement="Write top and lower.", solution_files={"src/lib.rs": LIB},
                solution_paths=["src/lib.rs"], test_files={"t.rs": TESTS})


def test_targets_seeds_inside_macros_and_variants():
    task = _task()
    found = {t.function: t for t in rust.targets(task, task.solution_files)}
    assert set(found) == {"top", "lower"} and found["top"].native_types == ["&[i64]", "usize"]
    assert rust.seeds(task.test_files, found["top"]) == [([3, -1], 2)]
    assert rust.seeds(task.test_files, found["lower"]) == [(" AbC ",)]
    descriptions = " | ".join(e.description for e in rust.plausible_wrong("src/lib.rs", LIB))
    for expected in ("special case", ".sort() call dropped", ".trim() removed", ".to_lowercase() removed"):
        assert expected in descriptions
    assert rust.literal([1, -2], "&[i64]") == "&[(1i64), (-2i64)]"
    assert rust.literal("a\"\n", "String") == '"a\\"\\n".to_string()'


def test_harness_compares_debug_output_and_records_panics():
    task = _task()
    wrong = LIB.replace(b"v.sort();", b"{}")
    calls = [Call("top", ([3, -1, 7], 1), ("&[i64]", "usize")), Call("top", ([], 1), ("&[i64]", "usize")),
             Call("lower", (" Ab ",), ("&str",))]
    ref, var = run_rust(get_backend(None), "src/lib.rs", [task.solution_files, {"src/lib.rs": wrong}], calls)
    assert [r.shown() for r in ref] == ["8", "raises panic: attempt to subtract with overflow", '"ab"']
    assert var[0].shown() == "8" and var[2].same_as(ref[2])


def test_weak_rust_tests_get_a_wrong_passing_variant():
    tasks = load_tasks([EXAMPLES / "weak-tests"])
    [report] = audit(tasks, get_backend(None), AuditConfig(reference_runs=1), jobs=1,
                     checks=[ReferenceCheck(), InputSpaceCheck()]).tasks
    w302 = [f for f in report.findings if f.code == "W302"]
    assert any("is_ascii_digit" in f.evidence["change"] and f.evidence["reference_output"] == "Err(DigitInText)"
               for f in w302)
    assert any(f.code == "W301" and "digit" in f.message and "encode('" in f.message for f in report.findings)
