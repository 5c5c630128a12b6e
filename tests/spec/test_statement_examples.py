"""Statement examples run against the reference in the sandbox, one test per example."""

from __future__ import annotations

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.statement_examples import StatementExamplesCheck
from taskaudit.model import CheckStatus
from taskaudit.sandbox import get_backend
from taskaudit.spec.examples import extract

from .conftest import example, make_task


def run(*tasks):
    report = audit(list(tasks), get_backend(None), AuditConfig(reference_runs=1), jobs=2,
                   checks=[StatementExamplesCheck()])
    return report.tasks


def test_extract_doctests_and_inline_forms():
    statement = (
        "Add numbers.\n    >>> add(2, 3)\n    5\n"
        "- `add(1, 1)` returns `2`.\n"
        "add(0, 0) == 0 and add(-1, 1) -> 0\n"
        "add(4, 4) returns eight\n"  # prose, not a value: skipped
        "tri(n) = 1 + n / 2\n"  # a definition, not an example: skipped
    )
    found = extract(statement, {"add", "tri"})
    assert [(e.call, e.expected, e.kind) for e in found] == [
        ("add(2, 3)", "5", "doctest"),
        ("add(1, 1)", "2", "inline"),
        ("add(0, 0)", "0", "inline"),
        ("add(-1, 1)", "0", "inline"),
    ]
    assert found[1].span.line == 4 and found[1].span.text == "- `add(1, 1)` returns `2`."


def test_extract_table_rows():
    statement = "| call | result |\n|---|---|\n| `add(2, 2)` | `4` |\n| `add(1, -1)` | 0 |\n"
    found = extract(statement, {"add"})
    assert [(e.call, e.expected, e.span.line) for e in found] == [("add(2, 2)", "4", 3), ("add(1, -1)", "0", 4)]


def test_good_example_agrees_with_every_statement_example():
    (task,) = run(example("python/good"))
    record = task.checks[0]
    assert record.status == CheckStatus.RAN, record.reason
    assert task.findings == []
    assert record.metrics == {"examples": 5.0, "examples_agree": 5.0}


def test_wrong_and_raising_examples_are_findings_with_the_reference_output():
    statement = (
        "Write `calc.py` with `half(n)`.\n\n"
        "- `half(4)` returns `2`.\n"
        "- `half(10)` returns `6`.\n"
        "- `half(None)` returns `0`.\n"
    )
    task = make_task("python", statement, {"test_calc.py": "from calc import half\n\ndef test_half():\n    assert half(4) == 2\n"},
                     {"calc.py": "def half(n):\n    return n // 2\n"},
                     starter={"calc.py": "def half(n):\n    raise NotImplementedError\n"})
    (report,) = run(task)
    assert report.checks[0].status == CheckStatus.RAN, report.checks[0].reason
    by_code = {f.code: f for f in report.findings}
    assert set(by_code) == {"S131", "S132"}
    wrong = by_code["S131"]
    assert wrong.evidence["reference_actual"] == "5"
    assert wrong.evidence["statement_span"]["line"] == 4
    assert wrong.evidence["test_location"]["text"] == "half(10)"
    assert "def test_example_1" in wrong.evidence["generated_test"]
    assert by_code["S132"].evidence["reference_raised"].startswith("TypeError")
    assert report.checks[0].metrics == {"examples": 3.0, "examples_agree": 1.0}


def test_javascript_example_that_the_reference_contradicts():
    (task,) = run(example("javascript/underspecified"))
    assert task.checks[0].status == CheckStatus.RAN, task.checks[0].reason
    (finding,) = task.findings
    assert finding.code == "S131"
    assert finding.evidence["example"]["call"] == 'slugify("Rock & Roll")'
    assert finding.evidence["reference_actual"] == '"rock-roll"'


def test_no_examples_is_a_skip_not_a_pass():
    (task,) = run(example("python/underspecified"))
    assert task.checks[0].status == CheckStatus.SKIPPED
    assert "no example" in task.checks[0].reason


def test_javascript_examples_bind_functions_the_tests_do_not_import_for_every_runner():
    # weak-tests imports only encode; the statement also exemplifies decode. jest and vitest
    # tasks load the module with their own import styles (require / ESM import).
    tasks = run(example("javascript/weak-tests"), example("javascript-jest/good"),
                example("javascript-vitest/good"))
    for task in tasks:
        assert task.checks[0].status == CheckStatus.RAN, task.checks[0].reason
        assert task.findings == [], task.findings
        assert task.checks[0].metrics == {"examples": 4.0, "examples_agree": 4.0}


def test_a_reference_that_does_not_load_skips_the_check_saying_why():
    task = make_task("python", "- `half(4)` returns `2`.\n",
                     {"test_calc.py": "from calc import half\n\ndef test_half():\n    assert half(4) == 2\n"},
                     {"calc.py": "import not_a_module_anywhere\n\ndef half(n):\n    return n // 2\n"})
    (report,) = run(task)
    assert report.checks[0].status == CheckStatus.SKIPPED
    assert "could not be run against the reference" in report.checks[0].reason


def test_go_examples_against_the_reference():
    statement = "Write `Half(n int) int`.\n\n- `Half(4)` returns `2`.\n- `Half(10)` returns `6`.\n"
    test = ('package half_test\n\nimport (\n\t"testing"\n\n\t"half"\n)\n\n'
            'func TestHalf(t *testing.T) {\n\tif half.Half(4) != 2 {\n\t\tt.Fatal("half")\n\t}\n}\n')
    task = make_task("go", statement, {"half_test.go": test},
                     {"half.go": "package half\n\nfunc Half(n int) int { return n / 2 }\n"},
                     starter={"go.mod": "module half\n\ngo 1.21\n",
                              "half.go": "package half\n\nfunc Half(n int) int { return 0 }\n"})
    report, good = run(task, example("go/good"))
    # The good example states results as Go does: `"3a1b2c", nil` (the value, no error).
    assert good.findings == [] and good.checks[0].metrics == {"examples": 5.0, "examples_agree": 5.0}
    assert report.checks[0].status == CheckStatus.RAN, report.checks[0].reason
    (finding,) = report.findings
    assert finding.code == "S131"
    assert finding.evidence["reference_actual"] == "5"
    assert finding.evidence["statement_span"]["line"] == 4
    assert report.checks[0].metrics == {"examples": 2.0, "examples_agree": 1.0}
