"""Unstated edge cases and errors; requirements no test exercises."""

from __future__ import annotations

from taskaudit.checks.unstated import UnstatedCheck
from taskaudit.checks.untested import UntestedCheck

from .conftest import example, make_task, run_static


def test_good_examples_have_no_unstated_or_untested_warnings(good_examples):
    for task in good_examples:
        assert run_static(UnstatedCheck(), task) == [], task.source
        assert run_static(UntestedCheck(), task) == [], task.source


def test_error_the_statement_never_mentions():
    task = make_task("python", "Return the square root of `x`.",
                     {"test_r.py": "import pytest\nfrom r import root\n\ndef test_neg():\n"
                                   "    with pytest.raises(ValueError):\n        root(-1)\n"},
                     {"r.py": "def root(x):\n    return x ** 0.5\n"})
    found = {f.code: f for f in run_static(UnstatedCheck(), task)}
    assert found["S141"].evidence["test_location"]["line"] == 5
    assert found["S141"].severity.value == "warning"
    assert found["S142"].evidence["case"] == "negative"


def test_underspecified_examples_report_their_edge_cases():
    (py,) = run_static(UnstatedCheck(), example("python/underspecified"))
    assert py.code == "S142" and py.evidence["case"] == "empty"
    (js,) = run_static(UnstatedCheck(), example("javascript/underspecified"))
    assert js.code == "S142" and js.evidence["case"] == "null"


def test_requirement_no_test_exercises():
    statement = "Write `clamp(x)`.\n\nIt must return `100` for inputs above `100`. It returns x otherwise.\n"
    task = make_task("python", statement,
                     {"test_c.py": "from c import clamp\n\ndef test_small():\n    assert clamp(5) == 5\n"},
                     {"c.py": "def clamp(x):\n    return min(x, 100)\n"})
    (finding,) = run_static(UntestedCheck(), task)
    assert finding.code == "S151" and finding.severity.value == "info"
    assert finding.evidence["statement_span"]["line"] == 3
    assert finding.evidence["looked_for"] == ["100", "100"]


def test_go_happy_path_error_checks_are_not_expected_errors():
    # `if err != nil { t.Fatal(...) }` guards the happy path: it does not ask for an error.
    task = make_task("go", "Count the words of a text.",
                     {"wc_test.go": 'package wc\nimport "testing"\nfunc TestCount(t *testing.T) {\n'
                                    '\tn, err := CountWords("a b")\n\tif err != nil || n != 2 { t.Fatal(err) }\n}\n'},
                     {"wc.go": "package wc\nfunc CountWords(s string) (int, error) { return 0, nil }\n"})
    assert run_static(UnstatedCheck(), task) == []
