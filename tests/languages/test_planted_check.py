"""V301: the reference solution plants runner configuration (checks/planted.py), judged from
the files' content; configuration the starter already has is the task's environment."""

from __future__ import annotations

import pytest

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.planted import PlantedCheck
from taskaudit.checks.reference import ReferenceCheck
from taskaudit.model import Severity, Task
from taskaudit.sandbox import get_backend

TESTS = {"test_calc.py": b"from calc import add\n\ndef test_small():\n    assert add(1, 2) == 3\n"}
RIGHT = b"def add(a, b):\n    return a + b\n"


def task(solution: dict[str, bytes], starter: dict[str, bytes] | None = None) -> Task:
    return Task(
        id="calc", source="<test>", format="test", language="python", test_runner="pytest",
        statement="Write add(a, b) returning the sum of two integers.",
        starter_files=starter or {}, solution_files={"calc.py": RIGHT, **solution},
        test_files=TESTS, solution_paths=["calc.py"], timeout_sec=30,
    )


@pytest.fixture(scope="module")
def backend():
    return get_backend(None)


def findings(t: Task, backend):
    report = audit([t], backend, AuditConfig(reference_runs=1), jobs=1,
                   checks=[ReferenceCheck(), PlantedCheck()])
    (result,) = report.tasks
    return [f for f in result.findings if f.code == "V301"], result


def test_reference_planting_pytest_configuration_is_a_warning_with_evidence(backend):
    conftest = b"import pytest\n\n@pytest.fixture(autouse=True)\ndef quiet():\n    yield\n"
    found, result = findings(task({"conftest.py": conftest}), backend)
    assert len(found) == 1
    f = found[0]
    assert f.severity == Severity.WARNING and f.question.value == "validity"
    assert f.evidence["path"] == "conftest.py" and f.evidence["in_starter"] is False
    assert "autouse" in f.evidence["content"] and "pytest plugin" in f.evidence["what"]
    # The run itself recorded it too, and the reference still passed (the file is inert).
    reference = next(r for r in result.runs if r.variant.startswith("reference"))
    assert "conftest.py (pytest plugin file" in reference.detail
    assert result.verdict.value == "REVISE"


def test_ordinary_project_files_and_the_starters_configuration_are_not_reported(backend):
    starter = {"pytest.ini": b"[pytest]\naddopts = -q\n"}
    plain = {"pyproject.toml": b"[project]\nname = 'calc'\nversion = '1'\n"}
    found, _ = findings(task(plain, starter), backend)
    assert found == []


def test_content_decides_for_a_pyproject(backend):
    found, _ = findings(task({"pyproject.toml": b"[tool.pytest.ini_options]\naddopts = '-p no:x'\n"}), backend)
    assert [f.evidence["path"] for f in found] == ["pyproject.toml"]
    assert "configures pytest" in found[0].message


PLANTS = {
    # language: (solution files, the planted path)
    "java": ({"Calc.java": b"class Calc {\n    static { System.exit(0); }\n}\n"}, "Calc.java"),
    "go": ({"calc.go": b'package calc\n\nimport "os"\n\nfunc init() {\n\tos.Exit(0)\n}\n'}, "calc.go"),
    "rust": ({"Cargo.toml": b'[package]\nname = "calc"\nversion = "0.1.0"\n\n[[test]]\nname = "t"\nharness = false\n',
              "src/lib.rs": b"pub fn add(a: i64, b: i64) -> i64 { a + b }\n"}, "Cargo.toml"),
    "javascript": ({"calc.js": b"exports.add = (a, b) => a + b;\n",
                    "package.json": b'{"name": "calc", "jest": {"testMatch": []}}'}, "package.json"),
}


@pytest.mark.parametrize("language", sorted(PLANTS))
def test_content_based_plants_are_found_in_every_language(backend, language):
    solution, path = PLANTS[language]
    t = Task(
        id=language, source="<test>", format="test", language=language, test_runner="default",
        statement="Write add(a, b).", starter_files={}, solution_files=solution,
        test_files={"x": b""}, solution_paths=sorted(solution), timeout_sec=30,
    )
    report = audit([t], backend, AuditConfig(reference_runs=1), jobs=1, checks=[PlantedCheck()])
    (result,) = report.tasks
    assert [f.evidence["path"] for f in result.findings if f.code == "V301"] == [path]
    assert result.runs == []  # static: nothing ran
