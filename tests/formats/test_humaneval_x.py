"""HumanEval-X rows: every fixture row loads (or gives the expected load error), and an audit
through the CLI accepts the good rows of every runnable language (the reference passes in the
sandbox, the starter fails) and rejects a row whose canonical_solution is wrong (V001)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from taskaudit.formats import load_tasks
from taskaudit.model import LoadError, Task

FIXTURES = Path(__file__).parent / "fixtures" / "humaneval_x"
FILES = {
    "humaneval_python.jsonl": ("python", "pytest", ["Python/0", "Python/2"], {"solution.py"}, {"test_solution.py"}),
    "humaneval_python.jsonl.gz": ("python", "pytest", ["Python/0", "Python/2"], {"solution.py"}, {"test_solution.py"}),
    "humaneval_js.jsonl": ("javascript", "node", ["JavaScript/0", "JavaScript/2"], {"solution.js"}, {"solution.test.js"}),
    "humaneval_go.jsonl": ("go", "go", ["Go/0", "Go/2"], {"solution.go"}, {"solution_test.go", "go.mod", "go.sum"}),
    "humaneval_java.jsonl": ("java", "junit", ["Java/0", "Java/2"], {"Solution.java"}, {"Main.java", "MainTest.java"}),
    "humaneval_rust.jsonl": ("rust", "cargo", ["Rust/0", "Rust/2", "Rust/162"], {"Cargo.toml", "src/lib.rs"}, {"src/tests.rs"}),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_row_loads(name):
    language, runner, ids, solution, tests = FILES[name]
    loaded = load_tasks([FIXTURES / name])
    assert all(isinstance(t, Task) for t in loaded), loaded
    assert [t.id for t in loaded] == ids
    for task in loaded:
        assert (task.format, task.language, task.test_runner) == ("humaneval-x", language, runner)
        assert task.reference_available is True
        assert set(task.solution_files) == set(task.starter_files) == solution
        assert task.solution_paths == sorted(solution)
        assert set(task.test_files) == tests
        assert task.starter_files != task.solution_files
        assert task.metadata["conversions"] and "example_test" in task.metadata["humaneval_x"]


def test_cpp_rows_are_load_errors():
    loaded = load_tasks([FIXTURES / "humaneval_cpp.jsonl"])
    assert [(e.task_id, type(e)) for e in loaded] == [("CPP/0", LoadError), ("CPP/2", LoadError)]
    assert all("C++ rows are not supported" in e.problem and "C++ is not one of" in e.problem for e in loaded)


def test_rust_rows_split_into_a_library_and_the_tasks_unit_test_module():
    rust0, _, rust162 = load_tasks([FIXTURES / "humaneval_rust.jsonl"])
    lib = rust0.solution_files["src/lib.rs"].decode()
    assert "fn main()" not in lib and lib.rstrip().endswith("#[cfg(test)]\nmod tests;")
    assert "use rand::Rng;" not in lib and "use std::{slice::Iter" in lib  # unused crates dropped
    assert "todo!()" in rust0.starter_files["src/lib.rs"].decode()
    tests = rust0.test_files["src/tests.rs"].decode()
    assert "use super::*;" in tests and "mod tests {\n" not in tests and "#[test]" in tests
    assert 'md5 = "0.7.0"' in rust162.solution_files["Cargo.toml"].decode()  # it uses md5::compute
    assert "rand" not in rust162.solution_files["Cargo.toml"].decode()
    assert rust0.metadata["entry_point"] == "has_close_elements"


def test_malformed_rows_fail_alone():
    loaded = load_tasks([FIXTURES / "malformed.jsonl"])
    assert isinstance(loaded[0], Task)
    expected = [
        ("malformed.jsonl:2", "invalid JSON"),
        ("Python/2", "missing field 'test'"),
        ("Python/3", "exactly one top-level call check(<function>)"),
        ("JavaScript/2", "must end with a call of their test function"),
        ("Go/2", "missing field 'test_setup'"),
        ("Rust/0", "the test must be one '#[cfg(test)] mod tests { ... }' module"),
        ("malformed.jsonl:8", "duplicate task_id 'Python/0'"),
        ("Haskell/2", "does not start with a HumanEval-X language"),
    ]
    assert len(loaded) - 1 == len(expected)
    for error, (want_id, want) in zip(loaded[1:], expected):
        assert isinstance(error, LoadError) and error.task_id.endswith(want_id) and want in error.problem, error


def test_javascript_console_assert_throws():
    task = load_tasks([FIXTURES / "humaneval_js.jsonl"])[0]
    test = task.test_files["solution.test.js"].decode()
    assert "console.assert(" not in test.split("const testHasCloseElements", 1)[1]
    assert test.count("assert.ok(") == 7
    assert 'test("JavaScript/0", () => {\n  testHasCloseElements();\n});' in test
    assert "module.exports = { hasCloseElements };" in task.solution_files["solution.js"].decode()
    assert any("console.assert" in c for c in task.metadata["conversions"])


def test_go_solution_imports_what_its_code_uses():
    go0, go2 = load_tasks([FIXTURES / "humaneval_go.jsonl"])
    for task in (go0, go2):
        solution = task.solution_files["solution.go"].decode()
        assert solution.startswith('package main\n\nimport (\n    "math"\n)\n')
        assert 'panic("not implemented")' in task.starter_files["solution.go"].decode()
        assert "github.com/stretchr/testify v1.8.0" in task.test_files["go.mod"].decode()
    # Go/2's test_setup imports math for its own use: the test file keeps it as is.
    assert '"math"\n    "testing"' in go2.test_files["solution_test.go"].decode()


def test_python_helper_imports_and_check_call():
    task = load_tasks([FIXTURES / "humaneval_python.jsonl"])[0]
    solution = task.solution_files["solution.py"].decode()
    assert solution.startswith("import math\n") and "from typing import *" in solution
    test = task.test_files["test_solution.py"].decode()
    assert "\ncheck(has_close_elements)\n" not in test
    assert test.endswith("def test_check():\n    check(solution.has_close_elements)\n")


def test_cli_audit_accepts_good_rows_and_rejects_a_wrong_canonical_solution(tmp_path):
    out = tmp_path / "report.json"
    files = [FIXTURES / n for n in ("humaneval_python.jsonl", "humaneval_js.jsonl", "humaneval_java.jsonl",
                                    "humaneval_go.jsonl", "humaneval_rust.jsonl", "wrong_canonical.jsonl")]
    done = subprocess.run(
        [sys.executable, "-m", "taskaudit.cli", "audit", *map(str, files), "--no-store", "--json", str(out),
         "--reference-runs", "1", "--jobs", "2"],
        capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )
    assert out.exists(), done.stdout + done.stderr
    report = {t["task_id"]: t for t in json.loads(out.read_text())["tasks"]}
    good = ["Python/0", "Python/2", "JavaScript/0", "JavaScript/2", "Java/0", "Java/2", "Go/0", "Go/2",
            "Rust/0", "Rust/2", "Rust/162"]
    assert sorted(report) == sorted(good + ["Python/3", "JavaScript/3"])
    for task_id in good:
        task = report[task_id]
        detail = (task["error"], [f["message"] for f in task["findings"]])
        assert task["verdict"] in ("ACCEPT", "REVISE"), (task_id, detail)
        assert not [f for f in task["findings"] if f["code"].startswith("V")], (task_id, detail)
        runs = {r["variant"].split("#")[0]: r for r in task["runs"]}
        assert runs["reference"]["status"] == "completed"
        assert runs["reference"]["tests"] and all(t["outcome"] == "passed" for t in runs["reference"]["tests"])
        assert not any(t["outcome"] == "passed" for t in runs["baseline"]["tests"]), task_id
    for task_id in ("Python/3", "JavaScript/3"):
        assert report[task_id]["verdict"] == "REJECT"
        assert "V001" in [f["code"] for f in report[task_id]["findings"]]
    assert done.returncode == 1  # some tasks below the threshold (the wrong rows)
