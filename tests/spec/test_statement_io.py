"""Input/output examples: the reference program fed each statement input, in every language."""

from __future__ import annotations

import pytest

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.statement_examples import StatementExamplesCheck
from taskaudit.model import CheckStatus
from taskaudit.sandbox import get_backend
from taskaudit.spec.io_examples import io_examples, program

from .conftest import make_task

STATEMENT = """\
# Sum

Read a count `n`, then `n` integers on the next line, and print their sum.

Input:
```
3
1 2 3
```
Output:
```
6
```

### Sample input 2
```
2
5 5
```
### Sample output 2
```
11
```

The output must end with a newline. An example of the format (not an input/output pair):
```
7
```
"""

PROGRAMS = {
    "python": ({"main.py": "n = int(input())\nprint(sum(map(int, input().split()[:n])))\n"},
               {"test_main.py": "def test_nothing():\n    assert True\n"}),
    "javascript": ({"main.js": 'const [n, line] = require("fs").readFileSync(0, "utf8").split("\\n");\n'
                               'console.log(line.split(" ").slice(0, +n).reduce((a, b) => a + +b, 0));\n'},
                   {"main.test.js": 'const { test } = require("node:test");\ntest("nothing", () => {});\n'}),
    "go": ({"go.mod": "module sum\n\ngo 1.21\n",
            "main.go": 'package main\n\nimport "fmt"\n\nfunc main() {\n\tvar n, x, s int\n\tfmt.Scan(&n)\n'
                       '\tfor i := 0; i < n; i++ {\n\t\tfmt.Scan(&x)\n\t\ts += x\n\t}\n\tfmt.Println(s)\n}\n'},
           {"main_test.go": 'package main\n\nimport "testing"\n\nfunc TestNothing(t *testing.T) {}\n'}),
    "rust": ({"Cargo.toml": '[package]\nname = "sum"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n',
              "src/main.rs": "use std::io::Read;\n\nfn main() {\n    let mut s = String::new();\n"
                             "    std::io::stdin().read_to_string(&mut s).unwrap();\n"
                             "    let v: Vec<i64> = s.split_whitespace().map(|t| t.parse().unwrap()).collect();\n"
                             "    println!(\"{}\", v[1..].iter().take(v[0] as usize).sum::<i64>());\n}\n"},
             {"nothing.rs": "#[test]\nfn nothing() {}\n"}),
    "java": ({"Main.java": "import java.util.Scanner;\n\npublic class Main {\n"
                           "    public static void main(String[] args) {\n"
                           "        Scanner in = new Scanner(System.in);\n        int n = in.nextInt();\n"
                           "        long s = 0;\n        for (int i = 0; i < n; i++) s += in.nextLong();\n"
                           "        System.out.println(s);\n    }\n}\n"},
             {"MainTest.java": "import org.junit.jupiter.api.Test;\n\nclass MainTest {\n"
                               "    @Test\n    void nothing() {}\n}\n"}),
}


def test_input_output_blocks_are_paired_by_their_labels():
    found = io_examples(STATEMENT)
    assert [(e.stdin, e.stdout, e.input_span.line, e.output_span.line) for e in found] == [
        ("3\n1 2 3\n", "6\n", 7, 12),
        ("2\n5 5\n", "11\n", 17, 22),
    ]


def test_the_program_is_the_one_file_that_reads_standard_input():
    files = {k: v.encode() for k, v in PROGRAMS["python"][0].items()}
    assert program({**files, "util.py": b"def f():\n    return 1\n"}, ["main.py"], "python").path == "main.py"
    assert program({"util.py": b"x = 1\n"}, ["util.py"], "python") is None
    java = {k: v.encode() for k, v in PROGRAMS["java"][0].items()}
    assert program(java, ["Main.java"], "java").name == "Main"


@pytest.fixture(scope="module")
def reports():
    tasks = [make_task(lang, STATEMENT, tests, solution) for lang, (solution, tests) in PROGRAMS.items()]
    for task, lang in zip(tasks, PROGRAMS):
        task.id = lang
    result = audit(tasks, get_backend(None), AuditConfig(reference_runs=1), jobs=2,
                   checks=[StatementExamplesCheck()])
    return {r.task_id: r for r in result.tasks}


@pytest.mark.parametrize("language", sorted(PROGRAMS))
def test_an_output_the_reference_does_not_print_is_a_finding_with_both_blocks(reports, language):
    report = reports[language]
    record = report.checks[0]
    assert record.status == CheckStatus.RAN, record.reason
    assert record.metrics == {"examples": 2.0, "examples_agree": 1.0}
    (finding,) = report.findings
    assert finding.code == "S131"
    assert "10" in finding.evidence["reference_actual"]
    assert finding.evidence["statement_span"]["line"] == 17
    assert finding.evidence["output_span"]["line"] == 22
    assert finding.evidence["stdin"] == "2\n5 5\n"
    assert finding.evidence["expected_stdout"] == "11\n"


def test_typescript_programs_are_compiled_with_the_generated_test():
    program_ts = ('import { readFileSync } from "fs";\n'
                  'const [n, line] = readFileSync(0, "utf8").split("\\n");\n'
                  'const total: number = line.split(" ").slice(0, +n).reduce((a, b) => a + Number(b), 0);\n'
                  "console.log(total);\n")
    tests = {"tests/main.test.ts": 'import { test } from "node:test";\ntest("nothing", () => {});\n'}
    (report,) = audit([make_task("typescript", STATEMENT, tests, {"main.ts": program_ts})], get_backend(None),
                      AuditConfig(reference_runs=1), jobs=1, checks=[StatementExamplesCheck()]).tasks
    assert report.checks[0].status == CheckStatus.RAN, report.checks[0].reason
    (finding,) = report.findings
    assert finding.code == "S131" and "10" in finding.evidence["reference_actual"]
    assert '/// <reference path="../../app/main.ts" />' in finding.evidence["generated_test"]


def test_a_typescript_program_with_javascript_tests_is_not_run_and_the_check_says_so():
    task = make_task("typescript", STATEMENT, {"main.test.js": 'const { test } = require("node:test");\n'},
                     {"main.ts": "process.stdin.on('data', () => {});\n"})
    (report,) = audit([task], get_backend(None), AuditConfig(reference_runs=1), jobs=1,
                      checks=[StatementExamplesCheck()]).tasks
    assert report.checks[0].status == CheckStatus.SKIPPED
    assert "input/output example" in report.checks[0].reason


def test_a_format_description_is_not_an_example():
    statement = "Input format:\n```\nn\na1 a2 ... an\n```\nOutput format:\n```\nthe sum\n```\n"
    assert io_examples(statement) == []


def test_an_es_module_task_gets_an_es_module_test():
    solution = {"package.json": '{"type": "module"}\n',
                "main.js": 'import { readFileSync } from "node:fs";\n'
                           'const [n, line] = readFileSync(0, "utf8").split("\\n");\n'
                           'console.log(line.split(" ").slice(0, +n).reduce((a, b) => a + +b, 0));\n'}
    tests = {"main.test.js": 'import { test } from "node:test";\ntest("nothing", () => {});\n'}
    (report,) = audit([make_task("javascript", STATEMENT, tests, solution)], get_backend(None),
                      AuditConfig(reference_runs=1), jobs=1, checks=[StatementExamplesCheck()]).tasks
    assert report.checks[0].status == CheckStatus.RAN, report.checks[0].reason
    assert [f.code for f in report.findings] == ["S131"]
