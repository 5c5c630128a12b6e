"""Interface alignment: what the tests need and the solver cannot know, with both locations."""

from __future__ import annotations

import pytest

from taskaudit.checks.base import CheckSkipped
from taskaudit.checks.interface import InterfaceCheck, message_given

from .conftest import example, make_task, run_static


def codes(findings):
    return sorted(f.code for f in findings)


def test_good_examples_have_no_interface_findings(good_examples):
    assert len(good_examples) >= 8
    for task in good_examples:
        assert run_static(InterfaceCheck(), task) == [], task.source


def test_python_underspecified_example():
    findings = run_static(InterfaceCheck(), example("python/underspecified"))
    assert codes(findings) == ["V101", "V101", "V102", "V103", "V103", "V107"]
    by_name = {f.evidence.get("name"): f for f in findings if f.code == "V101"}
    parse = by_name["parse_duration"]
    assert parse.evidence["test_location"]["path"].endswith("tests/test_duration.py")
    assert parse.evidence["test_location"]["line"] == 3
    assert parse.evidence["reference_location"]["path"].endswith("solution/app/duration.py")
    assert parse.evidence["reference_location"]["text"].startswith("def parse_duration")
    assert parse.severity.value == "error"
    messages = {f.evidence["asserted_message"] for f in findings if f.code == "V103"}
    assert messages == {"empty duration", "unknown unit"}
    (fmt,) = [f for f in findings if f.code == "V107"]
    assert fmt.evidence["expected_output"] == "1h 2m 5s"


def test_javascript_underspecified_example():
    findings = run_static(InterfaceCheck(), example("javascript/underspecified"))
    assert codes(findings) == ["V101", "V102", "V103"]
    v101 = findings[0]
    assert v101.evidence["name"] == "MAX_LENGTH"
    assert v101.evidence["reference_location"]["text"] == "const MAX_LENGTH = 64;"
    (v103,) = [f for f in findings if f.code == "V103"]
    assert v103.evidence["asserted_message"] == "title has no letters or digits"
    # The statement's words about the error are quoted next to the test line.
    assert "error" in v103.evidence["statement_span"]["text"]


@pytest.mark.parametrize(
    "language, test_file, test_src, sol_file, sol_src",
    [
        ("go", "calc_test.go",
         'package calc\nimport "testing"\nfunc TestSum(t *testing.T) {\n\tif SumAll(1, 2) != 3 { t.Fatal("x") }\n}\n',
         "calc.go", "package calc\n\nfunc SumAll(xs ...int) int {\n\tn := 0\n\tfor _, x := range xs { n += x }\n\treturn n\n}\n"),
        ("rust", "tests/calc.rs", "use calc::sum_all;\n#[test]\nfn sums() { assert_eq!(sum_all(&[1, 2]), 3); }\n",
         "src/lib.rs", "pub fn sum_all(xs: &[i64]) -> i64 {\n    xs.iter().sum()\n}\n"),
        ("java", "src/test/java/CalcTest.java",
         "import org.junit.jupiter.api.Test;\nclass CalcTest {\n  @Test void sums() { Calc.sumAll(new int[]{1, 2}); }\n}\n",
         "src/main/java/Calc.java", "public class Calc {\n  public static int sumAll(int[] xs) { return 0; }\n}\n"),
    ],
)
def test_name_the_statement_never_gives_in_other_languages(language, test_file, test_src, sol_file, sol_src):
    task = make_task(language, "Add up the numbers and return the total.", {test_file: test_src},
                     {sol_file: sol_src})
    findings = run_static(InterfaceCheck(), task)
    assert "V101" in codes(findings)
    named = {f.evidence["name"] for f in findings if f.code == "V101"}
    assert named & {"SumAll", "sum_all", "sumAll", "Calc"}
    # Named in the statement: no finding for it.
    stated = task.model_copy(update={"statement": task.statement + " Call it " + " and ".join(
        f"`{n}`" for n in named) + "."})
    assert [f for f in run_static(InterfaceCheck(), stated) if f.code == "V101"] == []


def test_env_var_and_flag_the_statement_never_names():
    task = make_task(
        "python", "Write a command-line tool `tool.py` that prints a greeting.",
        {"test_tool.py": 'import subprocess\n\ndef test_env(monkeypatch):\n'
                         '    monkeypatch.setenv("GREETING_NAME", "Bob")\n'
                         '    subprocess.run(["python", "tool.py", "--shout"])\n'},
        {"tool.py": 'import os, sys\nname = os.environ["GREETING_NAME"]\nif "--shout" in sys.argv:\n    print(name.upper())\n'},
    )
    found = {f.code: f for f in run_static(InterfaceCheck(), task)}
    assert found["V105"].evidence["variable"] == "GREETING_NAME"
    assert found["V105"].evidence["reference_location"]["line"] == 2
    assert found["V106"].evidence["flag"] == "--shout"


def test_skipped_without_reference():
    task = make_task("python", "x", {"test_a.py": "def test_a():\n    pass\n"}, {})
    with pytest.raises(CheckSkipped):
        run_static(InterfaceCheck(), task)


def test_message_given_verbatim_or_mostly_quoted():
    assert message_given("Raise ValueError('Empty duration.')", "empty duration")
    assert message_given('raise `unknown unit <u>`', "unknown unit 'd'")
    assert not message_given("A title with no letters or digits is an error.",
                             "title has no letters or digits")


def test_file_the_statement_never_names():
    task = make_task(
        "javascript", "Export a function that adds two numbers.",
        {"tests/add.test.js": 'const { test } = require("node:test");\n'
                              'const { sumTwo } = require("../app/mathx.js");\n'
                              'test("adds", () => sumTwo(1, 2));\n'},
        {"mathx.js": "function sumTwo(a, b) { return a + b; }\nmodule.exports = { sumTwo };\n"},
    )
    found = {f.code: f for f in run_static(InterfaceCheck(), task)}
    assert found["V104"].evidence["file"] == "mathx.js"
    assert found["V104"].evidence["test_location"]["line"] == 2
    assert found["V101"].evidence["name"] == "sumTwo"


def test_go_underspecified_example():
    findings = run_static(InterfaceCheck(), example("go/underspecified"))
    assert codes(findings) == ["V101", "V101", "V103"]
    names = {f.evidence["name"]: f for f in findings if f.code == "V101"}
    assert set(names) == {"CountWords", "ErrEmpty"}
    assert names["ErrEmpty"].evidence["reference_location"]["text"] == 'var ErrEmpty = errors.New("wc: empty text")'
    (message,) = [f for f in findings if f.code == "V103"]
    assert message.evidence["test_location"]["line"] == 29


def test_a_string_passed_to_the_call_is_an_input_not_an_output_format():
    task = make_task(
        "rust", "Return the md5 hex digest of `text` from `string_to_md5`.",
        {"src/tests.rs": 'use super::*;\n#[test]\nfn t() {\n    assert!(string_to_md5("Hello world") == "3e25960a79dbc69b674cd4ec67a72c62");\n}\n'},
        {"src/lib.rs": "pub fn string_to_md5(text: &str) -> String { String::new() }\n"},
    )
    assert run_static(InterfaceCheck(), task) == []


def test_an_english_word_in_prose_does_not_name_a_parameter():
    from taskaudit.checks.interface import names_parameter

    statement = 'It opens the file in text mode.\n\n```python\nload("x", mode="b")\n```\n'
    assert not names_parameter(statement, "text")
    assert names_parameter(statement, "mode")  # mode= in the statement's code
    assert names_parameter("Pass `text` to choose.", "text")  # inline code
    assert names_parameter("Add a max_retries option.", "max_retries")  # no English word
