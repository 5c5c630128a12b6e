"""A Rust run passes only with complete, consistent libtest results for every task test target.

Each hostile solution here is wrong (or would be judged by something other than the task's
tests) and tries to make the run look green anyway: exit early with success, forge libtest
lines, plant cargo/rustup configuration or a build script beside its code. None may be reported
as passing. Needs the host's Rust toolchain (cargo, rustc), which this machine has: nothing
here is skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from taskaudit.languages.rust import RustLanguage
from taskaudit.languages.rust_support.layout import TestLayout
from taskaudit.languages.rust_support.manifest import sanitize_manifest
from taskaudit.languages.rust_support.results import parse_cargo_output
from taskaudit.model import Outcome, RunStatus, Task
from taskaudit.runner import Variant, reference_variant, run_variant
from taskaudit.sandbox import get_backend

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "tasks" / "rust"

CARGO = b'[package]\nname = "calc"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n'
TESTS = {
    "add_test.rs": b"use calc::add;\n\n"
    b"#[test]\nfn small() {\n    assert_eq!(add(1, 2), 3);\n}\n\n"
    b"#[test]\nfn negative() {\n    assert_eq!(add(-1, -2), -3);\n}\n\n"
    b"#[test]\n#[should_panic]\nfn overflow_panics() {\n    add(i64::MAX, 1);\n}\n",
    "test.sh": b"#!/bin/bash\ncargo test\n",
}
EXPECTED = [
    "tests/add_test.rs::small",
    "tests/add_test.rs::negative",
    "tests/add_test.rs::overflow_panics",
]
RIGHT = "pub fn add(a: i64, b: i64) -> i64 {\n    a.checked_add(b).expect(\"overflow\")\n}\n"
WRONG = "pub fn add(a: i64, b: i64) -> i64 {\n    let _ = (a, b);\n    0\n}\n"


def make_task(lib: str, extra: dict[str, bytes] | None = None, cargo: bytes = CARGO) -> Task:
    return Task(
        id="calc",
        source="<test>",
        format="test",
        language="rust",
        test_runner="cargo",
        statement="Write add(a, b) returning the sum of two i64, panicking on overflow.",
        starter_files={},
        solution_files={"Cargo.toml": cargo, "src/lib.rs": lib.encode(), **(extra or {})},
        test_files=TESTS,
        solution_paths=["src/lib.rs"],
        timeout_sec=60,
    )


@pytest.fixture(scope="module")
def backend():
    return get_backend(None)


def run(task: Task, backend):
    return run_variant(task, reference_variant(task), backend, RustLanguage())


def never_passes(result) -> bool:
    return not result.passed_all(EXPECTED) and (
        result.status != RunStatus.COMPLETED
        or all(t.outcome != Outcome.PASSED for t in result.tests if t.test_id == EXPECTED[0])
    )


def test_toolchain_is_detected():
    ok, version = RustLanguage().toolchain()
    assert ok, version
    assert "rustc" in version and "cargo" in version
    assert RustLanguage.address_space_ok is False


def test_correct_solution_passes_every_test(backend):
    result = run(make_task(RIGHT), backend)
    assert result.status == RunStatus.COMPLETED, result.detail + result.stdout_tail
    assert result.passed_all(EXPECTED)
    assert sorted(result.outcomes()) == sorted(EXPECTED)
    assert result.run_key and result.backend == "bwrap"
    assert "RUST_BACKTRACE" not in result.stdout_tail


def test_wrong_solution_fails_with_messages(backend):
    result = run(make_task(WRONG), backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    outcomes = result.outcomes()
    assert outcomes["tests/add_test.rs::small"] == Outcome.FAILED
    assert outcomes["tests/add_test.rs::overflow_panics"] == Outcome.FAILED  # did not panic
    small = next(t for t in result.tests if t.test_id == "tests/add_test.rs::small")
    assert "left: 0" in (small.message or "")
    assert not result.passed_all(EXPECTED)


INIT_EXIT = (
    "#[used]\n#[link_section = \".init_array\"]\n"
    "static EXIT_AT_INIT: extern \"C\" fn() = {\n"
    "    extern \"C\" fn f() { std::process::exit(0) }\n    f\n};\n"
)
FORGE = (
    "    use std::io::Write;\n"
    "    let mut out = std::io::stdout();\n"
    "    let _ = writeln!(out, \"test small ... ok\\ntest negative ... ok\");\n"
    "    let _ = out.flush();\n"
)


@pytest.mark.parametrize(
    "lib",
    [
        # in the function under test
        "pub fn add(a: i64, b: i64) -> i64 {\n    std::process::exit(0);\n}\n",
        # in a static initialiser (what #[ctor] expands to), before libtest starts
        INIT_EXIT + RIGHT.replace("a.checked_add(b)", "a.wrapping_sub(b).checked_add(0)"),
        # forged ok lines, then an early successful exit
        f"pub fn add(a: i64, b: i64) -> i64 {{\n{FORGE}    std::process::exit(0);\n}}\n",
        # an abort and a kill of its own process
        "pub fn add(a: i64, b: i64) -> i64 {\n    std::process::abort();\n}\n",
    ],
    ids=["exit-in-function", "exit-in-static-initialiser", "forge-then-exit", "abort"],
)
def test_early_exit_is_never_a_pass(backend, lib):
    result = run(make_task(lib), backend)
    assert result.status == RunStatus.INCOMPLETE, (result.status, result.detail)
    assert not result.passed_all(EXPECTED)
    assert result.tests == []


PLANTS = {
    # each would change the outcome if honoured; the wrong/right solution decides what is seen
    "build.rs": (b"fn main() {\n    panic!(\"planted build script ran\");\n}\n", RIGHT, True),
    ".cargo/config.toml": (
        b'[build]\nrustflags = ["--cfg", "cheat"]\n\n'
        b'[target.x86_64-unknown-linux-gnu]\nrunner = "/bin/true"\n\n[alias]\nt = "test --no-run"\n',
        "#[cfg(cheat)]\n" + RIGHT + "#[cfg(not(cheat))]\n" + WRONG,
        False,
    ),
    "rust-toolchain.toml": (b'[toolchain]\nchannel = "nonexistent-0.0.1"\n', RIGHT, True),
    "rust-toolchain": (b"nonexistent-0.0.1\n", RIGHT, True),
    # a test file of the solution's own: never run, and the task's file of the same name wins
    "tests/add_test.rs": (
        b"#[test]\nfn small() {}\n#[test]\nfn negative() {}\n#[test]\nfn overflow_panics() {}\n",
        WRONG,
        False,
    ),
    "tests/extra_test.rs": (b"#[test]\nfn always() {}\n", RIGHT, True),
}


@pytest.mark.parametrize("planted", sorted(PLANTS))
def test_planted_configuration_is_inert_and_reported(backend, planted):
    content, lib, passes = PLANTS[planted]
    result = run(make_task(lib, {planted: content}), backend)
    assert result.status == RunStatus.COMPLETED, result.detail + result.stdout_tail
    assert result.passed_all(EXPECTED) is passes
    assert sorted(result.outcomes()) == sorted(EXPECTED)  # nothing of the solution's ran
    assert planted in result.detail


MANIFESTS = {
    "harness-false-test": CARGO
    + b'\n[[test]]\nname = "add_test"\npath = "tests/add_test.rs"\nharness = false\n',
    "proc-macro-lib": CARGO + b"\n[lib]\nproc-macro = true\nharness = false\n",
    "patch-and-build": CARGO.replace(b'edition = "2021"', b'edition = "2021"\nbuild = "build.rs"')
    + b'\n[patch.crates-io]\nitoa = { path = "vendor/itoa" }\n\n[profile.dev]\npanic = "abort"\n',
    "path-dependency": CARGO + b'helper = { path = "helper" }\n',
}


@pytest.mark.parametrize("name", sorted(MANIFESTS))
def test_planted_manifest_settings_are_inert_and_reported(backend, name):
    extra = {"build.rs": b"fn main() { std::process::exit(0) }\n"}
    if name == "path-dependency":
        extra = {
            "helper/Cargo.toml": b'[package]\nname = "helper"\nversion = "0.1.0"\n[lib]\nproc-macro = true\n',
            "helper/src/lib.rs": b"",
        }
    result = run(make_task(RIGHT, extra, cargo=MANIFESTS[name]), backend)
    assert result.status == RunStatus.COMPLETED, result.detail + result.stdout_tail
    assert result.passed_all(EXPECTED)
    assert "Cargo.toml settings ignored" in result.detail


def test_reference_that_does_not_compile_is_a_build_failure(backend):
    result = run(make_task("pub fn add(a: i64, b: i64) -> i64 {\n    a + \n}\n"), backend)
    assert result.status == RunStatus.BUILD_FAILED, result.detail
    assert "error" in result.detail and "src/lib.rs" in result.detail


def test_invalid_manifest_is_a_build_failure(backend):
    result = run(make_task(RIGHT, cargo=b"[package\nname = "), backend)
    assert result.status == RunStatus.BUILD_FAILED
    assert "Cargo.toml" in result.detail


def test_tests_are_read_only_and_pristine_for_the_solution(backend):
    # add() is right only when neither copy of the tests can be written.
    lib = (
        "pub fn add(a: i64, b: i64) -> i64 {\n"
        "    let w1 = std::fs::write(\"/app/tests/add_test.rs\", \"\").is_ok();\n"
        "    let w2 = std::fs::write(\"/tests/add_test.rs\", \"\").is_ok();\n"
        "    let w3 = std::fs::write(\"/app/Cargo.toml\", \"\").is_ok();\n"
        "    if w1 || w2 || w3 { 0 } else { a.checked_add(b).expect(\"overflow\") }\n"
        "}\n"
    )
    task = make_task(lib)
    assert run(task, backend).passed_all(EXPECTED)
    assert run(task, backend).passed_all(EXPECTED)  # and the next run sees them unchanged


def test_baseline_variant_with_no_files_fails_every_test(backend):
    task = make_task(RIGHT)
    result = run_variant(task, Variant("baseline", {}), backend, RustLanguage())
    assert result.status == RunStatus.BUILD_FAILED
    assert not result.passed_all(EXPECTED)


def test_missing_dependency_is_an_infrastructure_error(backend, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cargo = CARGO + b'taskaudit-no-such-crate-zz9 = "=0.0.1"\n'
    result = run(make_task(RIGHT, cargo=cargo), backend)
    assert result.status == RunStatus.INFRA_ERROR
    assert "dependencies" in result.detail


# --------------------------------------------------------------------------- parsing


HEAD = "     Running tests/a.rs (/taskaudit-target/debug/deps/a-0123)\n\n"


def test_parse_outcomes_should_panic_and_ignored():
    out = HEAD + (
        "running 3 tests\n"
        "test m::one ... ok\n"
        "test two - should panic ... FAILED\n"
        "test three ... ignored, slow\n\n"
        "failures:\n\n---- two stdout ----\nnote: test did not panic as expected\n\n"
        "failures:\n    two\n\n"
        "test result: FAILED. 1 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; "
        "finished in 0.00s\n\nerror: test failed\n"
    )
    parsed = parse_cargo_output(out, 101, ["tests/a.rs"])
    assert parsed.status == RunStatus.COMPLETED, parsed.detail
    assert {t.test_id: t.outcome for t in parsed.tests} == {
        "tests/a.rs::m::one": Outcome.PASSED,
        "tests/a.rs::two": Outcome.FAILED,
        "tests/a.rs::three": Outcome.SKIPPED,
    }
    assert "did not panic" in parsed.tests[1].message


@pytest.mark.parametrize(
    ("out", "code"),
    [
        (HEAD + "running 2 tests\ntest a ... ok\n", 0),  # no summary
        (HEAD, 0),  # no header: exit in a static initialiser
        (HEAD + "running 2 tests\ntest a ... ok\ntest a ... ok\n\ntest result: ok. 2 passed; "
         "0 failed; 0 ignored; 0 measured; 0 filtered out\n", 0),  # duplicate names
        (HEAD + "running 1 test\ntest a ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 "
         "ignored; 0 measured; 0 filtered out\n", 101),  # exit code disagrees
        ("", 0),  # nothing ran but success claimed
    ],
)
def test_parse_refuses_incomplete_or_inconsistent_output(out, code):
    assert parse_cargo_output(out, code, ["tests/a.rs"]).status == RunStatus.INCOMPLETE


def test_parse_missing_target_is_incomplete():
    out = HEAD + "running 1 test\ntest a ... ok\n\ntest result: ok. 1 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n"
    assert parse_cargo_output(out, 0, ["tests/a.rs", "tests/b.rs"]).status == RunStatus.INCOMPLETE


def test_sanitized_manifest_keeps_only_safe_settings():
    import tomllib

    original = tomllib.loads(
        '[package]\nname = "x"\nedition = "2021"\nbuild = "b.rs"\n[lib]\nproc-macro = true\n'
        '[dependencies]\nserde = { version = "1", features = ["derive"] }\nevil = { path = "/" }\n'
        '[[test]]\nname = "t"\nharness = false\n[patch.crates-io]\nserde = { git = "x" }\n'
    )
    text, ignored, deps = sanitize_manifest(original, {"rle_test": "tests/rle_test.rs"})
    doc = tomllib.loads(text)
    assert deps and doc["dependencies"] == {"serde": {"version": "1", "features": ["derive"]}}
    assert doc["package"]["build"] is False and doc["package"]["autotests"] is False
    assert doc["test"] == [{"name": "rle_test", "path": "tests/rle_test.rs", "harness": True}]
    assert "patch" not in doc and "lib" not in doc
    joined = " ".join(ignored)
    for word in ("package.build", "proc-macro", "[[test]]", "[patch]", "evil"):
        assert word in joined


# --------------------------------------------------------------------------- static analysis


def test_planted_files():
    files = dict.fromkeys(["src/lib.rs", "build.rs", ".cargo/config.toml", "sub/.cargo/config",
                           "rust-toolchain.toml", "tests/mine.rs", "src/data.txt"], b"")
    files["Cargo.toml"] = CARGO
    assert list(RustLanguage().planted_files(files)) == sorted(
        ["build.rs", ".cargo/config.toml", "sub/.cargo/config", "rust-toolchain.toml", "tests/mine.rs"]
    )


def test_assertion_points_and_locate():
    src = b"""use x::*;

fn check(v: i32) {
    assert_eq!(v, 1);
    assert!(v > 0);
}

macro_rules! case { ($a:expr) => { assert_eq!($a, 1); }; }

#[test]
fn direct() {
    assert_ne!(1, 2);
}

#[test]
fn via_helper() {
    for v in [1] {
        check(v);
    }
}

#[test]
#[should_panic(expected = "boom")]
fn panics() {
    boom();
}

#[test]
fn errors() {
    parse("").unwrap_err();
    case!(1);
}

#[test]
fn nothing() {
    let _ = 1;
}

mod inner {
    #[tokio::test]
    async fn nested() {
        debug_assert!(true);
    }
}
"""
    found = RustLanguage().assertion_points({"a_test.rs": src, "test.sh": b"cargo test\n"})
    points = {name: (line, p) for _, name, line, p in found}
    assert points == {
        "direct": (11, 1),
        "via_helper": (16, 2),
        "panics": (24, 1),
        "errors": (29, 2),
        "nothing": (35, 0),
        "inner::nested": (41, 1),
    }
    lang = RustLanguage()
    assert lang.locate_test("tests/a_test.rs::inner::nested", {"a_test.rs": src}) == ("a_test.rs", 41)
    assert lang.locate_test("tests/a_test.rs::via_helper", {"a_test.rs": src}) == ("a_test.rs", 16)
    assert lang.locate_test("tests/b.rs::x", {"a_test.rs": src}) is None
    nested = {"tests/a_test.rs": src}
    assert TestLayout.of(sorted(nested)).targets == ["a_test"]
    assert lang.locate_test("tests/a_test.rs::direct", nested) == ("tests/a_test.rs", 11)


# --------------------------------------------------------------------------- examples

@pytest.fixture(scope="module")
def examples_report(examples_audit):
    # Verdicts and codes of every example are pinned in tests/test_examples.py; this reads the
    # same audit for the Rust-specific evidence.
    assert examples_audit.exit_code == 1, examples_audit.stderr[-2000:]
    return examples_audit.language("rust")


def test_example_evidence(examples_report):
    good = examples_report["good"]
    assert {r["status"] for r in good["runs"]} == {"completed"}
    v001 = [f for f in examples_report["reference-fails"]["findings"] if f["code"] == "V001"]
    assert {f["location"]["line"] for f in v001} == {41, 50}  # decode_multi_digit_count, roundtrip
    assert all("cargo" in f["evidence"]["command"] for f in v001)
    v004 = next(f for f in examples_report["passes-without-solution"]["findings"] if f["code"] == "V004")
    classes = v004["evidence"]["classification"]
    assert classes["tests/rle_test.rs::error_kinds_are_distinct"] == "pass-to-pass"
    assert list(classes.values()).count("pass-to-pass") == 1
    v003 = next(f for f in examples_report["flaky"]["findings"] if f["code"] == "V003")
    assert len(v003["evidence"]["outcomes_per_run"]) == 3
    assert v003["location"]["line"] is not None
