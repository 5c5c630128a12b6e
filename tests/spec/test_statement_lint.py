"""Statement lint: each pattern with its quoted span; the good examples stay clean."""

from __future__ import annotations

from taskaudit.checks.statement_lint import StatementLintCheck

from .conftest import make_task, run_static

TESTS = {"test_x.py": "from x import f\n\ndef test_f():\n    assert f(1) == 1\n"}
SOLUTION = {"x.py": "def f(n):\n    return n\n"}


def lint(statement: str, tests=TESTS):  # noqa: ANN001
    return run_static(StatementLintCheck(), make_task("python", statement, tests, SOLUTION))


def test_good_examples_are_clean(good_examples):
    for task in good_examples:
        assert run_static(StatementLintCheck(), task) == [], task.source


def test_vague_wording_quoted_with_its_span():
    (finding,) = lint("Write `f(n)`.\n\nIt must be fast and handle edge cases.\n")[:1]
    assert finding.code == "S101"
    span = finding.evidence["statement_span"]
    assert span["line"] == 3 and span["text"] == "It must be fast and handle edge cases."
    assert "handle edge cases" in {f.evidence["wording"].lower() for f in lint("Handle edge cases.")}
    assert lint("Handle edge cases: empty input returns 0.") == []


def test_link_only_information():
    (finding,) = lint("Implement `f` as described at https://example.com/spec.\n")
    assert finding.code == "S102"
    assert finding.evidence["links"] == ["https://example.com/spec."]


def test_two_values_for_one_constant_and_two_behaviours_for_one_condition():
    found = lint("`MAX_LEN` is 64. Names are cut to MAX_LEN = 100 characters.\n"
                 "If the list is empty, return -1. Raise ValueError when the list is empty.\n")
    by_code = {f.code: f for f in found}
    assert by_code["S103"].evidence["values"] == ["100", "64"]
    assert by_code["S104"].evidence["condition"] == "list empty"
    assert by_code["S104"].evidence["other_statement_span"]["line"] == 2


def test_statement_not_in_english():
    spanish = ("Escriba una función que reciba una lista de números y devuelva la suma de los "
               "elementos. Si la lista está vacía, la función debe devolver cero para que el "
               "resultado sea correcto en todos los casos de la prueba.")
    (finding,) = lint(spanish)
    assert finding.code == "S105" and finding.evidence["detected"] == "Spanish"


def test_program_driven_through_stdin_without_io_format():
    tests = {"test_p.py": "import subprocess\n\ndef test_p():\n    subprocess.run(['python', 'p.py'])\n"}
    (finding,) = lint("Compute the answer to everything with p.py.", tests)
    assert finding.code == "S106"
    assert finding.evidence["test_location"]["line"] == 4


def test_large_inputs_without_a_stated_limit():
    tests = {"test_x.py": "from x import f\n\ndef test_big():\n    assert f(list(range(10**6)))\n"}
    (finding,) = lint("Write `f(xs)` that returns whether the list is sorted.", tests)
    assert finding.code == "S107" and finding.severity.value == "info"
    assert finding.evidence["test_location"]["line"] == 4
    assert lint("Write `f(xs)`; the list has at most 10^6 items.", tests) == []
