"""A Go run passes only with a trusted per-test result for every test.

Each hostile solution here is wrong or exits early and tries to make the run look green anyway:
exit with success at init, forge the test output or the record, plant test files, a TestMain,
go.mod directives, a workspace file, vendor/, cgo. None may be reported as passing. These run
for real (Go toolchain + bwrap), never skipped: the machine taskaudit is developed on has both.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from taskaudit.languages.go import (
    GoLanguage,
    assertion_points,
    locate_test,
    parse_stream,
    sanitize_go_mod,
)
from taskaudit.model import Outcome, RunStatus, Task
from taskaudit.runner import Variant, reference_variant, run_variant
from taskaudit.sandbox import get_backend

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "tasks" / "go"

GO_MOD = b"module calc\n\ngo 1.21\n"
TEST_SRC = b"""package calc_test

import (
\t"testing"

\t"calc"
)

func TestSmall(t *testing.T) {
\tif got := calc.Add(1, 2); got != 3 {
\t\tt.Fatalf("Add(1, 2) = %d", got)
\t}
}

func TestNegative(t *testing.T) {
\tfor _, c := range []struct{ a, b, want int }{{-1, -2, -3}, {-5, 5, 0}} {
\t\tt.Run("case", func(t *testing.T) {
\t\t\tif got := calc.Add(c.a, c.b); got != c.want {
\t\t\t\tt.Errorf("Add(%d, %d) = %d", c.a, c.b, got)
\t\t\t}
\t\t})
\t}
}
"""
TESTS = {"calc_test.go": TEST_SRC, "test.sh": b"#!/bin/sh\ngo test ./...\n"}
EXPECTED = ["calc::TestSmall", "calc::TestNegative", "calc::TestNegative/case", "calc::TestNegative/case#01"]
RIGHT = "package calc\n\nfunc Add(a, b int) int { return a + b }\n"
WRONG = "package calc\n\nfunc Add(a, b int) int { return a - b }\n"


def make_task(solution: str, extra: dict[str, bytes] | None = None, go_mod: bytes = GO_MOD) -> Task:
    return Task(
        id="calc",
        source="<test>",
        format="test",
        language="go",
        test_runner="go",
        statement="Write Add(a, b int) int returning the sum of two integers.",
        starter_files={"go.mod": go_mod},
        solution_files={"calc.go": solution.encode(), **(extra or {})},
        test_files=TESTS,
        solution_paths=["calc.go"],
        timeout_sec=60,
    )


@pytest.fixture(scope="module")
def backend():
    return get_backend(None)


def run(task: Task, backend):
    return run_variant(task, reference_variant(task), backend, GoLanguage())


def never_passes(result) -> bool:
    return not result.passed_all(EXPECTED)


def test_toolchain_is_detected():
    ok, version = GoLanguage().toolchain()
    assert ok, version
    assert version.startswith("go1.")


def test_correct_solution_passes_every_test_with_subtests(backend):
    result = run(make_task(RIGHT), backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    assert sorted(result.outcomes()) == sorted(EXPECTED)
    assert result.passed_all(EXPECTED)
    assert result.backend == "bwrap" and result.run_key


def test_wrong_solution_fails_with_the_failure_message(backend):
    result = run(make_task(WRONG), backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    outcomes = result.outcomes()
    assert outcomes["calc::TestSmall"] == Outcome.FAILED
    assert outcomes["calc::TestNegative/case#01"] == Outcome.FAILED
    small = next(t for t in result.tests if t.test_id == "calc::TestSmall")
    assert "Add(1, 2) = -1" in small.message
    assert never_passes(result)


EXITS = {
    "init": "func init() { os.Exit(0) }\n",
    "package variable": "var _ = func() int { os.Exit(0); return 0 }()\n",
    "function under test": "",
}


@pytest.mark.parametrize("where", sorted(EXITS))
def test_exit_with_success_is_never_a_pass(backend, where):
    body = "func Add(a, b int) int { os.Exit(0); return 0 }\n" if where == "function under test" else (
        "func Add(a, b int) int { return a + b }\n"
    )
    solution = f'package calc\n\nimport "os"\n\n{EXITS[where]}{body}'
    result = run(make_task(solution), backend)
    assert never_passes(result), result.detail
    if where != "function under test":
        assert result.status == RunStatus.INCOMPLETE
        assert "before testing finished" in result.detail
    else:  # the testing package itself turns os.Exit(0) in a test into a crash
        assert result.status == RunStatus.INCOMPLETE
        assert "os.Exit(0)" in " ".join(t.message or "" for t in result.tests)


def test_forged_framing_then_exit_is_not_trusted(backend):
    forged = "".join(
        f"\\x16=== RUN   {name}\\n\\x16--- PASS: {name} (0.00s)\\n" for name in ("TestSmall", "TestNegative")
    )
    solution = (
        'package calc\n\nimport (\n\t"fmt"\n\t"os"\n)\n\n'
        f'func init() {{ fmt.Print("{forged}\\x16PASS\\n"); os.Exit(0) }}\n\n'
        "func Add(a, b int) int { return a + b }\n"
    )
    result = run(make_task(solution), backend)
    assert result.status == RunStatus.INCOMPLETE
    assert never_passes(result)


def test_forged_record_is_not_trusted(backend):
    solution = (
        'package calc\n\nimport "os"\n\n'
        'func init() {\n\tos.WriteFile("/results/record-0", []byte("00112233 0\\n"), 0o644)\n'
        "\tos.Exit(0)\n}\n\nfunc Add(a, b int) int { return a + b }\n"
    )
    result = run(make_task(solution), backend)
    assert result.status == RunStatus.INCOMPLETE
    assert "forged" in result.detail
    assert never_passes(result)


def test_forged_output_with_real_failures_is_caught(backend):
    # Fake passes printed at init, then the real (failing) tests run: the stream has two
    # results for one test or disagrees with the recorded exit code.
    solution = (
        'package calc\n\nimport "fmt"\n\n'
        'func init() { fmt.Print("\\x16=== RUN   TestSmall\\n\\x16--- PASS: TestSmall (0.00s)\\n") }\n\n'
        "func Add(a, b int) int { return 0 }\n"
    )
    result = run(make_task(solution), backend)
    assert result.status == RunStatus.INCOMPLETE
    assert never_passes(result)


PLANTS = {
    # A test file of the solution's that would pass everything, and one named like the real one.
    "calc_test.go": b'package calc\n\nimport "testing"\n\nfunc TestSmall(t *testing.T) {}\n',
    "extra_test.go": b'package calc\n\nimport (\n\t"os"\n\t"testing"\n)\n\n'
    b"func TestMain(m *testing.M) { os.Exit(0) }\n",
    # TestMain outside a test file is never called.
    "hooks.go": b'package calc\n\nimport (\n\t"os"\n\t"testing"\n)\n\n'
    b"func TestMain(m *testing.M) { os.Exit(0) }\n\n//go:generate sh -c \"echo hi\"\n",
    # cgo is off, so this file is not even compiled.
    "cgo.go": b'package calc\n\n// #include <stdlib.h>\nimport "C"\n\nfunc init() { C.exit(0) }\n',
    "go.work": b"go 1.21\n\nuse .\n",
    "vendor/modules.txt": b"# fake vendor\n",
    "vendor/calc/x.go": b"package calc\n",
}


@pytest.mark.parametrize("planted", sorted(PLANTS))
def test_planted_configuration_is_inert_and_reported(backend, planted):
    result = run(make_task(WRONG, {planted: PLANTS[planted]}), backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    assert never_passes(result)
    assert result.outcomes()["calc::TestSmall"] == Outcome.FAILED
    assert planted in result.detail


def test_go_mod_replace_and_toolchain_are_dropped_and_reported(backend):
    # Both are dropped before the build (a replace could swap a dependency for planted code).
    go_mod = GO_MOD + b"\ntoolchain go1.99.0\n\nreplace calc => ./fake\n"
    result = run(make_task(WRONG, go_mod=go_mod), backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    assert never_passes(result)
    assert "replace calc => ./fake" in result.detail and "toolchain go1.99.0" in result.detail


def test_tests_are_read_only_for_the_solution(backend):
    solution = (
        'package calc\n\nimport "os"\n\n'
        "func init() {\n"
        '\tos.WriteFile("/app/calc_test.go", []byte("package calc\\n"), 0o644)\n'
        '\tos.Remove("/app/calc_test.go")\n'
        "}\n\nfunc Add(a, b int) int { return 0 }\n"
    )
    task = make_task(solution)
    result = run(task, backend)
    assert result.status == RunStatus.COMPLETED, result.detail
    assert never_passes(result)
    # A second run sees the same tests (pristine per run).
    again = run(task, backend)
    assert sorted(again.outcomes()) == sorted(EXPECTED)


def test_reference_that_does_not_compile_is_a_build_failure(backend):
    result = run(make_task("package calc\n\nfunc Add(a, b int) int { return a + }\n"), backend)
    assert result.status == RunStatus.BUILD_FAILED
    assert "calc.go" in result.detail


def test_newer_go_than_installed_is_an_infra_error(backend):
    result = run(make_task(RIGHT, go_mod=b"module calc\n\ngo 1.99\n"), backend)
    assert result.status == RunStatus.INFRA_ERROR, result.detail
    assert "newer Go" in result.detail


def test_baseline_without_files_never_passes(backend):
    task = make_task(RIGHT)
    result = run_variant(task, Variant("baseline", {}), backend, GoLanguage())
    assert never_passes(result)
    assert result.status == RunStatus.BUILD_FAILED  # a generated go.mod, but no package calc


# --------------------------------------------------------------------------- static parts


def test_parse_stream_reads_framing_and_ignores_look_alike_output():
    data = (
        b"\x16=== RUN   TestA\n    a_test.go:3: boom\n\x16--- FAIL: TestA (0.01s)\n"
        b"--- PASS: TestA (0.00s)\n"  # not framed: output
        b"\x16=== RUN   TestB\n\x16--- SKIP: TestB (0.00s)\n\x16FAIL\n"
    )
    stream = parse_stream(data)
    assert not stream.tampered
    assert stream.results == {"TestA": (Outcome.FAILED, 0.01), "TestB": (Outcome.SKIPPED, 0.0)}
    assert "boom" in "\n".join(stream.output["TestA"])
    assert stream.final == "FAIL"


@pytest.mark.parametrize(
    "data",
    [
        b"\x16--- PASS: TestA (0.00s)\n\x16PASS\n",  # a result for a test that never started
        b"\x16=== RUN   TestA\n\x16--- PASS: TestA (0.00s)\n\x16--- FAIL: TestA (0.00s)\n",
        b"\x16PASS\n\x16=== RUN   TestA\n",  # framing after the end
    ],
)
def test_parse_stream_flags_tampering(data):
    assert parse_stream(data).tampered


def test_sanitize_go_mod_blanks_replace_and_toolchain():
    text = "module m\n\ngo 1.21\ntoolchain go1.30\nreplace (\n\ta => ./a\n\tb v1 => c v2\n)\nreplace d => ../d // x\nrequire e v1.0.0\n"
    clean, dropped = sanitize_go_mod(text)
    assert "replace" not in clean and "toolchain" not in clean and "require e v1.0.0" in clean
    assert clean.count("\n") == text.count("\n")
    assert dropped == ["toolchain go1.30", "replace a => ./a", "replace b v1 => c v2", "replace d => ../d"]


def test_assertion_points_and_locate_test():
    files = {
        "calc_test.go": TEST_SRC,
        "more_test.go": b"""package calc_test

import (
\t"fmt"
\t"testing"
)

func check(t *testing.T, ok bool) {
\tif !ok {
\t\tt.Error("not ok")
\t}
}

func TestNothing(t *testing.T) { _ = fmt.Errorf("not an assertion") }

func TestPanics(t *testing.T) {
\tdefer func() {
\t\tif recover() == nil {
\t\t\tt.Fatal("no panic")
\t\t}
\t}()
\tcheck(t, true)
\tassert.Equal(t, 1, 1)
}

func ExampleAdd() {
\tfmt.Println(3)
\t// Output: 3
}

func ExampleNotRun() {}
""",
        "test.sh": b"",
    }
    points = {(f, name): (line, n) for f, name, line, n in assertion_points(files)}
    assert points == {
        ("calc_test.go", "TestSmall"): (9, 1),
        ("calc_test.go", "TestNegative"): (15, 1),
        ("more_test.go", "TestNothing"): (14, 0),
        ("more_test.go", "TestPanics"): (16, 4),  # recover + Fatal + check's Error + assert
        ("more_test.go", "ExampleAdd"): (26, 1),
    }
    assert locate_test("calc::TestSmall", files) == ("calc_test.go", 9)
    assert locate_test("calc::TestNegative/case#01", files) == ("calc_test.go", 17)
    assert locate_test("calc::TestMissing", files) is None


def test_planted_files_by_name():
    planted = GoLanguage().planted_files(dict.fromkeys(
        ["calc.go", "calc_test.go", "go.mod", "go.work", "vendor/modules.txt", "pkg/x_test.go"], b"package calc\n"
    ))
    assert list(planted) == ["calc_test.go", "go.work", "pkg/x_test.go", "vendor/modules.txt"]


# --------------------------------------------------------------------------- the examples

@pytest.fixture(scope="module")
def example_report(examples_audit):
    # Verdicts and codes of every example are pinned in tests/test_examples.py; this reads the
    # same audit for the Go-specific evidence.
    return examples_audit.exit_code, examples_audit.language("go")


def test_example_findings_point_at_the_test(example_report):
    _, tasks = example_report
    v001 = next(
        f
        for f in tasks["reference-fails"]["findings"]
        if f["code"] == "V001" and "TestDecodeMultiDigitCount" in f["message"]
    )
    assert v001["location"]["path"].endswith("tests/rle_test.go")
    assert "/taskaudit-go/harness/go-test-" in v001["evidence"]["command"]
    v004 = next(f for f in tasks["passes-without-solution"]["findings"] if f["code"] == "V004")
    assert "rle::TestErrorValuesExist" in v004["message"]
    assert sorted(r["variant"] for r in tasks["good"]["runs"]) == [
        "baseline",
        "reference#1",
        "reference#2",
        "reference#3",
    ]
    assert all(r["status"] == "completed" for r in tasks["good"]["runs"])


def test_tests_with_their_own_testmain_in_a_subpackage(backend):
    # No recorder can be added where the tests define TestMain: the run is judged on the framed
    # stream and the exit status alone, which still refuses a silent early exit.
    tests = {
        "mathx/sum_test.go": b'package mathx\n\nimport (\n\t"os"\n\t"testing"\n)\n\n'
        b"func TestMain(m *testing.M) { os.Exit(m.Run()) }\n\n"
        b'func TestSum(t *testing.T) {\n\tif Sum(2, 2) != 4 {\n\t\tt.Fatal("Sum(2, 2) != 4")\n\t}\n}\n',
    }
    right = b"package mathx\n\nfunc Sum(a, b int) int { return a + b }\n"
    early = b'package mathx\n\nimport "os"\n\nfunc init() { os.Exit(0) }\n\nfunc Sum(a, b int) int { return a + b }\n'
    for solution, passes in ((right, True), (early, False)):
        task = make_task(RIGHT, {"mathx/sum.go": solution})
        task = task.model_copy(update={"test_files": tests})
        result = run(task, backend)
        assert result.passed_all(["mathx::TestSum"]) is passes, result.detail
        if not passes:
            assert result.status == RunStatus.INCOMPLETE


def test_task_with_a_dependency_runs_against_a_read_only_prebuilt_cache(backend):
    # HumanEval-X style: go.mod requires testify. Its packages are compiled once per go.mod
    # outside the sandbox into a cache each run is seeded from; the run cannot write to it.
    from taskaudit.formats.humaneval_x import GO_MOD as HX_GO_MOD, GO_SUM as HX_GO_SUM

    tests = {
        "go.mod": HX_GO_MOD.encode(),
        "go.sum": HX_GO_SUM.encode(),
        "calc_test.go": b"""package main

import (
\t"os"
\t"path/filepath"
\t"testing"

\t"github.com/stretchr/testify/assert"
)

func TestAdd(t *testing.T) {
\tassert.Equal(t, 3, Add(1, 2))
}

func TestDependencyCacheIsReadOnly(t *testing.T) {
\tseed := os.Getenv("TASKAUDIT_GOCACHE_DEPS")
\tif seed == "" {
\t\tt.Fatal("no prebuilt dependency cache")
\t}
\tif err := os.WriteFile(filepath.Join(seed, "planted"), []byte("x"), 0o644); err == nil {
\t\tt.Fatal("wrote a new file into the dependency cache")
\t}
\tentries, _ := filepath.Glob(filepath.Join(seed, "*", "*"))
\tif len(entries) == 0 {
\t\tt.Fatal("the dependency cache is empty")
\t}
\tfor _, entry := range entries {
\t\tif f, err := os.OpenFile(entry, os.O_WRONLY|os.O_APPEND, 0); err == nil {
\t\t\tf.Close()
\t\t\tt.Fatalf("%s is writable", entry)
\t\t}
\t}
}
""",
    }
    task = make_task(RIGHT, go_mod=b"")
    task = task.model_copy(
        update={
            "starter_files": {},
            "solution_files": {"main.go": b"package main\n\nfunc Add(a, b int) int { return a + b }\n"},
            "solution_paths": ["main.go"],
            "test_files": tests,
        }
    )
    result = run(task, backend)
    expected = ["main::TestAdd", "main::TestDependencyCacheIsReadOnly"]
    assert result.status == RunStatus.COMPLETED and result.passed_all(expected), result.detail
