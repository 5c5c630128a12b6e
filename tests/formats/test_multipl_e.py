"""MultiPL-E rows: every fixture row loads (or gives the expected load error), the converted tests
run under each language module (a correct completion passes them, the stub fails them), and an
audit skips the reference checks, saying why, with verdict ERROR."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.baseline import BaselineCheck
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.formats import load_tasks
from taskaudit.model import LoadError, Outcome, Task
from taskaudit.sandbox import get_backend

FIXTURES = Path(__file__).parent / "fixtures" / "multipl_e"
NAMES = ["HumanEval_0_has_close_elements", "HumanEval_2_truncate_number"]
EXPECTED = {
    "py": ("python", "pytest", NAMES, {"solution.py"}, {"test_solution.py"}),
    "js": ("javascript", "node", NAMES, {"solution.js"}, {"solution.test.js"}),
    "ts": ("typescript", "node", NAMES, {"solution.ts"}, {"solution.test.ts"}),
    "go": ("go", "go", NAMES, None, None),
    "rs": ("rust", "cargo", NAMES + ["HumanEval_111_histogram"], {"Cargo.toml", "src/lib.rs"}, None),
    "java": ("java", "junit", NAMES + ["HumanEval_107_even_odd_palindrome"], {"Problem.java"}, {"ProblemTest.java"}),
}


def _load(name: str) -> list[Task | LoadError]:
    return load_tasks([FIXTURES / name])


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_every_row_loads(code):
    language, runner, names, starter, tests = EXPECTED[code]
    loaded = _load(f"humaneval-{code}.jsonl")
    assert all(isinstance(t, Task) for t in loaded), loaded
    assert [t.id for t in loaded] == [f"{code}/{n}" for n in names]
    for task in loaded:
        assert (task.format, task.language, task.test_runner) == ("multipl-e", language, runner)
        assert task.reference_available is False and task.solution_files == {}
        assert task.solution_paths == sorted(task.starter_files)
        if starter is not None:
            assert set(task.starter_files) == starter
        if tests is not None:
            assert set(task.test_files) == tests
        assert task.metadata["multipl_e"]["language"] == code
        assert task.metadata["conversions"], "every conversion is recorded"
        assert task.metadata["entry_point"]


def test_go_rows_split_the_test_file_into_solution_and_tests():
    task = _load("humaneval-go.jsonl")[0]
    assert set(task.starter_files) == {"has_close_elements.go"}
    assert set(task.test_files) == {"has_close_elements_test.go", "go.mod"}
    starter = task.starter_files["has_close_elements.go"].decode()
    assert starter.startswith("package has_close_elements\n")
    assert '"testing"' not in starter and "var _ = fmt.Sprint" in starter
    assert 'panic("not implemented")' in starter
    test = task.test_files["has_close_elements_test.go"].decode()
    assert "\npackage has_close_elements\n" in test and "func TestHas_Close_Elements(t *testing.T)" in test


def test_java_asserts_become_throwing_checks():
    task = _load("humaneval-java.jsonl")[0]
    test = task.test_files["ProblemTest.java"].decode()
    assert "assert(" not in test
    assert test.count("throw new AssertionError(") == 7
    assert "public class ProblemTest extends Problem" in test
    assert "org.javatuples" not in task.starter_files["Problem.java"].decode()
    assert any("javatuples" in c for c in task.metadata["conversions"])


JAVATUPLES_COMPLETION = (
    "        long even = 0, odd = 0;\n        for (long i = 1; i <= n; i++) {\n"
    "            String s = Long.toString(i);\n"
    "            if (!new StringBuilder(s).reverse().toString().equals(s)) continue;\n"
    "            if (i % 2 == 0) even++; else odd++;\n        }\n"
    "        return Pair.with(even, odd);\n    }\n}\n"
)


def test_java_rows_using_javatuples_load_and_run():
    task = _load("humaneval-java.jsonl")[2]
    assert "import org.javatuples.*;" in task.starter_files["Problem.java"].decode()
    assert any("javatuples 1.2 on the class path" in c for c in task.metadata["conversions"])
    solved = _with_reference(task, COMPLETIONS["java"][0], JAVATUPLES_COMPLETION)
    report = audit([solved], get_backend(None), AuditConfig(reference_runs=1), jobs=1,
                   checks=[ReferenceCheck(), BaselineCheck()])
    (result,) = report.tasks
    runs = {r.variant.split("#")[0]: r for r in result.runs}
    assert runs["reference"].status.value == "completed", (runs["reference"].detail, runs["reference"].stdout_tail)
    assert runs["reference"].tests and all(t.outcome == Outcome.PASSED for t in runs["reference"].tests)
    assert not any(t.outcome == Outcome.PASSED for t in runs["baseline"].tests)
    assert "javatuples-1.2.jar" in " ".join(runs["reference"].command)
    assert result.verdict.value == "ACCEPT", [f.message for f in result.findings]


def test_rust_rows_become_a_library_and_an_integration_test():
    task = _load("humaneval-rs.jsonl")[2]
    lib = task.starter_files["src/lib.rs"].decode()
    assert "pub fn histogram(test: String) -> HashMap<String, isize> {\n    todo!()\n}" in lib
    test = task.test_files["histogram.rs"].decode()
    assert "use solution::*;\nuse std::collections::HashMap;\n" in test
    assert "#[test]\nfn multipl_e_main() {" in test and "\nfn main()" not in test


def test_python_rows_drop_the_module_level_call():
    task = _load("humaneval-py.jsonl")[0]
    test = task.test_files["test_solution.py"].decode()
    assert "\ntest_check()\n" not in test and "def test_check():" in test
    assert "from solution import *" in test


def test_json_array_export_loads_like_jsonl():
    as_json = _load("humaneval-py.json")
    as_jsonl = _load("humaneval-py.jsonl")
    assert [t.id for t in as_json] == [t.id for t in as_jsonl]
    assert [t.test_files["test_solution.py"].split(b"\n", 1)[1] for t in as_json] == [
        t.test_files["test_solution.py"].split(b"\n", 1)[1] for t in as_jsonl
    ]


def test_malformed_rows_fail_alone():
    loaded = _load("malformed.jsonl")
    assert isinstance(loaded[0], Task)
    errors = [(e.task_id, e.problem) for e in loaded[1:]]
    assert all(isinstance(e, LoadError) for e in loaded[1:])
    expected = [
        ("malformed.jsonl:2", "invalid JSON"),
        ("py/HumanEval_2_truncate_number", "missing field 'tests'"),
        ("cpp/HumanEval_0_has_close_elements", "MultiPL-E language 'cpp' is not one taskaudit runs"),
        ("lua/HumanEval_0_has_close_elements", "MultiPL-E language 'lua' is not one taskaudit runs"),
        ("js/HumanEval_2_truncate_number", "must end with a call of their test function"),
        ("rs/HumanEval_2_truncate_number", "fn main()"),
        ("malformed.jsonl:8", "duplicate row 'py/HumanEval_0_has_close_elements'"),
        ("malformed.jsonl:9", "must be a JSON object"),
    ]
    assert len(errors) == len(expected)
    for (task_id, problem), (want_id, want) in zip(errors, expected):
        assert task_id.endswith(want_id) and want in problem, (task_id, problem)


# A correct completion per language, for HumanEval_0: the stub replaced by it must pass the
# converted tests, and the stub itself must fail them. This runs the conversions for real.
COMPLETIONS = {
    "py": ("", "    for i, a in enumerate(numbers):\n        for j, b in enumerate(numbers):\n"
           "            if i != j and abs(a - b) < threshold:\n                return True\n    return False\n"),
    "js": ('  throw new Error("not implemented");\n}\n',
           "  for (let i = 0; i < numbers.length; i++)\n    for (let j = i + 1; j < numbers.length; j++)\n"
           "      if (Math.abs(numbers[i] - numbers[j]) < threshold) return true;\n  return false;\n}\n"),
    "go": ('\tpanic("not implemented")\n}\n',
           "\tfor i := range numbers {\n\t\tfor j := i + 1; j < len(numbers); j++ {\n"
           "\t\t\td := numbers[i] - numbers[j]\n\t\t\tif d < threshold && -d < threshold {\n\t\t\t\treturn true\n"
           "\t\t\t}\n\t\t}\n\t}\n\treturn false\n}\n"),
    "rs": ("    todo!()\n}\n",
           "    for i in 0..numbers.len() {\n        for j in (i + 1)..numbers.len() {\n"
           "            if (numbers[i] - numbers[j]).abs() < threshold {\n                return true;\n"
           "            }\n        }\n    }\n    false\n}\n"),
    "java": ('        throw new UnsupportedOperationException("not implemented");\n    }\n}\n',
             "        for (int i = 0; i < numbers.size(); i++)\n            for (int j = i + 1; j < numbers.size(); j++)\n"
             "                if (Math.abs(numbers.get(i) - numbers.get(j)) < threshold) return true;\n"
             "        return false;\n    }\n}\n"),
}
COMPLETIONS["ts"] = COMPLETIONS["js"]


def _with_reference(task: Task, stub: str, completion: str) -> Task:
    (path,) = [p for p in task.starter_files if p.endswith((".py", ".js", ".ts", ".go", ".rs", ".java"))]
    starter = task.starter_files[path].decode()
    solved = starter + completion if stub == "" else starter.replace(stub, completion, 1)
    assert solved != starter
    return task.model_copy(update={"solution_files": {path: solved.encode()}, "reference_available": True})


def test_converted_tests_run_in_every_language():
    tasks = []
    for code, (stub, completion) in COMPLETIONS.items():
        task = _load(f"humaneval-{code}.jsonl")[0]
        tasks.append(_with_reference(task, stub, completion))
    report = audit(tasks, get_backend(None), AuditConfig(reference_runs=1), jobs=2,
                   checks=[ReferenceCheck(), BaselineCheck()])
    for task in report.tasks:
        runs = {r.variant.split("#")[0]: r for r in task.runs}
        reference = runs["reference"]
        assert reference.status.value == "completed", (task.task_id, reference.detail, reference.stdout_tail)
        assert reference.tests and all(t.outcome == Outcome.PASSED for t in reference.tests), task.task_id
        baseline = runs["baseline"]
        assert not any(t.outcome == Outcome.PASSED for t in baseline.tests if t.test_id in reference.outcomes()
                       and "/" not in t.test_id.split("::")[-1]), (task.task_id, baseline.tests)
        assert task.verdict.value == "ACCEPT", (task.task_id, [f.message for f in task.findings])


def test_cli_audit_skips_the_reference_checks_and_reports_error(tmp_path):
    out = tmp_path / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "taskaudit.cli", "audit", str(FIXTURES / "humaneval-py.jsonl"),
         "--no-store", "--json", str(out)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300,
    )
    assert done.returncode == 3, done.stdout + done.stderr  # 3: could not evaluate
    report = json.loads(out.read_text())
    assert [t["task_id"] for t in report["tasks"]] == [f"py/{n}" for n in NAMES]
    for task in report["tasks"]:
        assert task["verdict"] == "ERROR"
        assert "could not evaluate" in task["error"]
        checks = {c["name"]: c for c in task["checks"]}
        for name in ("reference", "baseline"):
            assert checks[name]["status"] == "skipped"
            assert "ships no reference solution" in checks[name]["reason"] or name == "baseline"
        assert task["runs"] == []
