"""Rust unit-test modules and doc tests shipped by the task (``src/**.rs`` in the tests dir).

They run with ``cargo test --lib`` (and ``--doc``), mounted pristine over the crate's
``src/<same path>``; the solution's own ``#[test]`` functions are never reported, and a module
the crate does not compile as the task's file (not declared, or shadowed by an inline module
of the solution's) fails every one of its tests. Needs the host's Rust toolchain, which this
machine has: nothing here is skipped.
"""

from __future__ import annotations

import pytest

from taskaudit.languages.rust import RustLanguage
from taskaudit.languages.rust_support.layout import TestLayout, module_path
from taskaudit.languages.rust_support.results import UnitSpec, parse_cargo_output
from taskaudit.model import Outcome, RunStatus, Task
from taskaudit.runner import reference_variant, run_variant
from taskaudit.sandbox import get_backend

CARGO = b'[package]\nname = "calc"\nversion = "0.1.0"\nedition = "2021"\n'
UNIT = (
    b"use super::*;\n\n#[test]\nfn small() {\n    assert_eq!(add(1, 2), 3);\n}\n\n"
    b"#[test]\n#[should_panic]\nfn overflow() {\n    add(i64::MAX, 1);\n}\n"
)
DOC = (
    b"//! ```\n//! assert_eq!(calc::add(2, 2), 4);\n//! ```\n\n"
    b"/// ```\n/// assert_eq!(calc::add(1, 1), 2);\n/// ```\npub fn documented() {}\n"
)
RIGHT = 'pub fn add(a: i64, b: i64) -> i64 {\n    a.checked_add(b).expect("overflow")\n}\n'
WRONG = "pub fn add(a: i64, b: i64) -> i64 {\n    a.wrapping_sub(b)\n}\n"
DECLARE = "#[cfg(test)]\nmod tests;\n"
UNIT_IDS = {"src/lib.rs::tests::small", "src/lib.rs::tests::overflow"}


def make_task(lib: str, tests: dict[str, bytes] | None = None) -> Task:
    return Task(
        id="calc-units",
        source="<test>",
        format="test",
        language="rust",
        test_runner="cargo",
        statement="Write add(a, b), panicking on overflow.",
        starter_files={},
        solution_files={"Cargo.toml": CARGO, "src/lib.rs": lib.encode()},
        test_files=tests if tests is not None else {"src/tests.rs": UNIT},
        solution_paths=["src/lib.rs"],
        timeout_sec=120,
    )


@pytest.fixture(scope="module")
def backend():
    return get_backend(None)


def run(task: Task, backend):
    return run_variant(task, reference_variant(task), backend, RustLanguage())


def test_unit_tests_pass_and_the_solutions_own_tests_are_not_reported(backend):
    own = "#[cfg(test)]\nmod mine {\n    #[test]\n    fn own_failing() { panic!(\"mine\") }\n}\n"
    result = run(make_task(RIGHT + DECLARE + own), backend)
    assert result.status == RunStatus.COMPLETED, result.detail + result.stdout_tail
    assert result.outcomes() == {i: Outcome.PASSED for i in UNIT_IDS}  # should_panic honoured
    assert "mine::own_failing ... FAILED" in result.stdout_tail  # it ran, and is not ours


def test_wrong_solution_fails_unit_tests_with_messages(backend):
    result = run(make_task(WRONG + DECLARE), backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    outcomes = result.outcomes()
    assert outcomes == {i: Outcome.FAILED for i in UNIT_IDS}
    small = next(t for t in result.tests if t.test_id == "src/lib.rs::tests::small")
    assert "left: -1" in (small.message or "")


@pytest.mark.parametrize(
    "lib",
    [
        RIGHT,  # the crate never declares the task's module
        # an inline module of the same name with trivially passing tests of the same names
        RIGHT + "#[cfg(test)]\nmod tests {\n    #[test]\n    fn small() {}\n    #[test]\n    fn overflow() {}\n}\n",
    ],
    ids=["undeclared", "shadowed-by-inline-module"],
)
def test_a_module_that_is_not_the_tasks_file_fails_every_test(backend, lib):
    result = run(make_task(lib), backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    assert result.outcomes() == {i: Outcome.FAILED for i in UNIT_IDS}
    assert all("was not compiled into the library" in (t.message or "") for t in result.tests)


@pytest.mark.parametrize(
    "lib",
    [
        "pub fn add(a: i64, b: i64) -> i64 {\n    std::process::exit(0);\n}\n" + DECLARE,
        "pub fn add(a: i64, b: i64) -> i64 {\n    std::process::abort();\n}\n" + DECLARE,
    ],
    ids=["exit-0", "abort"],
)
def test_early_exit_in_a_unit_test_is_never_a_pass(backend, lib):
    result = run(make_task(lib), backend)
    assert result.status == RunStatus.INCOMPLETE, (result.status, result.detail)
    assert result.tests == [] and "src/lib.rs" in result.detail


def test_unit_and_integration_tests_together(backend):
    integration = b"use calc::add;\n\n#[test]\nfn from_outside() {\n    assert_eq!(add(2, 3), 5);\n}\n"
    task = make_task(RIGHT + DECLARE, {"src/tests.rs": UNIT, "outside.rs": integration})
    result = run(task, backend)
    assert result.status == RunStatus.COMPLETED, result.detail + result.stdout_tail
    assert result.outcomes() == {
        **{i: Outcome.PASSED for i in UNIT_IDS},
        "tests/outside.rs::from_outside": Outcome.PASSED,
    }


def test_doc_tests_of_a_task_module_run_with_cargo_test_doc(backend):
    task = make_task(RIGHT + DECLARE + "pub mod examples;\n", {"src/tests.rs": UNIT, "src/examples.rs": DOC})
    result = run(task, backend)
    assert result.status == RunStatus.COMPLETED, result.detail + result.stdout_tail
    outcomes = result.outcomes()
    docs = {k: v for k, v in outcomes.items() if k.startswith("doctests::")}
    assert docs == {
        "doctests::src/examples.rs - examples (line 1)": Outcome.PASSED,
        "doctests::src/examples.rs - examples::documented (line 5)": Outcome.PASSED,
    }
    # The module is not declared: its doc tests did not run, which is a failure.
    missing = run(make_task(RIGHT + DECLARE, {"src/tests.rs": UNIT, "src/examples.rs": DOC}), backend)
    assert missing.outcomes()["doctests::src/examples.rs"] == Outcome.FAILED


def test_layout_finds_unit_modules():
    layout = TestLayout.of(["src/tests.rs", "src/a/mod.rs", "src/lib.rs", "api_test.rs", "test.sh"])
    assert layout.units == {"src/tests.rs": "tests", "src/a/mod.rs": "a"}
    assert layout.targets == ["api_test"]
    assert module_path("src/a/b.rs") == "a::b" and module_path("src/main.rs") == ""


def test_parse_keeps_only_the_tasks_unit_tests_and_checks_the_sentinel():
    spec = UnitSpec(
        lib_source="src/lib.rs",
        modules={"tests": "src/tests.rs"},
        sentinels={"tests": "tests::sentinel_x"},
        expected=["tests::a", "tests::b"],
    )
    out = (
        "     Running unittests src/lib.rs (/t/deps/calc-1)\n\nrunning 4 tests\n"
        "test mine::own ... ok\ntest tests::a ... ok\ntest tests::sentinel_x ... ok\n"
        "test tests::c ... ok\n\ntest result: ok. 4 passed; 0 failed; 0 ignored; 0 measured; "
        "0 filtered out; finished in 0.00s\n"
    )
    parsed = parse_cargo_output(out, 0, ["src/lib.rs"], spec)
    assert parsed.status == RunStatus.COMPLETED
    assert {t.test_id: t.outcome for t in parsed.tests} == {
        "src/lib.rs::tests::a": Outcome.PASSED,
        "src/lib.rs::tests::c": Outcome.PASSED,  # a macro-generated test of the module
        "src/lib.rs::tests::b": Outcome.FAILED,  # no result: a failure
    }
    no_sentinel = out.replace("tests::sentinel_x", "tests::other")
    parsed = parse_cargo_output(no_sentinel, 0, ["src/lib.rs"], spec)
    assert {t.test_id: t.outcome for t in parsed.tests} == {
        "src/lib.rs::tests::a": Outcome.FAILED,
        "src/lib.rs::tests::b": Outcome.FAILED,
    }


def test_locate_and_assertion_points_of_unit_tests():
    lang = RustLanguage()
    files = {"src/tests.rs": UNIT, "src/examples.rs": DOC}
    assert lang.locate_test("src/lib.rs::tests::overflow", files) == ("src/tests.rs", 10)
    assert lang.locate_test("doctests::src/examples.rs - examples (line 1)", files) == ("src/examples.rs", 1)
    points = {name: p for _, name, _, p in lang.assertion_points(files)}
    assert points == {"tests::small": 1, "tests::overflow": 1}
