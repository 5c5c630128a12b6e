"""Statement examples in Rust and Java syntax, run against the reference in the sandbox."""

from __future__ import annotations

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.statement_examples import StatementExamplesCheck, rust_value
from taskaudit.model import CheckStatus
from taskaudit.sandbox import get_backend
from taskaudit.spec.examples import extract

from .conftest import example, make_task


def run(*tasks):
    report = audit(list(tasks), get_backend(None), AuditConfig(reference_runs=1), jobs=2,
                   checks=[StatementExamplesCheck()])
    return report.tasks


def test_extract_rust_and_java_forms():
    rust = ("- `encode(\"aab\")` returns `Ok(\"2a1b\".to_string())`.\n"
            "- `decode(&encode(text)?)` returns `Ok(text)`.\n"  # a variable: not runnable
            "- `Rle::parse(\"3\")` returns `Err(RleError::Malformed)`.\n")
    found = extract(rust, {"encode", "decode", "parse"}, "rust",
                    {"encode", "decode", "parse", "RleError", "Malformed"})
    assert [(e.call, e.expected) for e in found] == [
        ('encode("aab")', 'Ok("2a1b".to_string())'),
        ('Rle::parse("3")', "Err(RleError::Malformed)"),
    ]
    java = ('`Rle.encode("x".repeat(12))` returns `"12x"`; `encode("ab3")` throws '
            "`IllegalArgumentException`; `Rle.decode(Rle.encode(text))` returns `text`.\n")
    found = extract(java, {"encode", "decode"}, "java", {"encode", "decode", "Rle"})
    assert [(e.call, e.expected, e.raises) for e in found] == [
        ('Rle.encode("x".repeat(12))', '"12x"', None),
        ('encode("ab3")', "IllegalArgumentException", "IllegalArgumentException"),
    ]


def test_rust_values_get_their_open_types_closed_outside_strings():
    assert rust_value('Ok("Ok(x)".to_string())') == 'Ok::<_, ()>("Ok(x)".to_string())'
    assert rust_value("Err(RleError::Malformed)") == "Err::<(), _>(RleError::Malformed)"
    assert rust_value("Some(None)") == "Some(None::<()>)"


def test_good_rust_and_java_examples_agree_with_every_statement_example():
    rust, java = run(example("rust/good"), example("java/good"))
    for task, count in ((rust, 4.0), (java, 5.0)):
        record = task.checks[0]
        assert record.status == CheckStatus.RAN, record.reason
        assert task.findings == []
        assert record.metrics == {"examples": count, "examples_agree": count,
                                  "examples_not_compiled": 0.0}


RUST_LIB = """\
#[derive(Debug, PartialEq)]
pub enum HalfError { Odd }

pub fn half(n: i64) -> Result<i64, HalfError> {
    if n % 2 != 0 { return Err(HalfError::Odd); }
    Ok(n / 2)
}

pub fn third(n: u32) -> u32 { if n == 7 { panic!("seven is unlucky") } n / 3 }
"""


def test_rust_wrong_panicking_and_uncompilable_examples():
    statement = (
        "Write `half` and `third` in the crate `halves`.\n\n"
        "- `half(4)` returns `Ok(2)`.\n"
        "- `half(10)` returns `6`.\n"  # wrong: the reference gives Ok(5)
        "- `half(3)` returns `Err(HalfError::Odd)`.\n"
        "- `half(\"8\")` returns `4`.\n"  # a &str where the reference takes i64: does not compile
        "- `third(7)` returns `2`.\n"  # the reference panics
    )
    test = "use halves::half;\n\n#[test]\nfn halves_four() {\n    assert_eq!(half(4), Ok(2));\n}\n"
    manifest = '[package]\nname = "halves"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n'
    task = make_task("rust", statement, {"halves_test.rs": test},
                     {"Cargo.toml": manifest, "src/lib.rs": RUST_LIB})
    (report,) = run(task)
    record = report.checks[0]
    assert record.status == CheckStatus.RAN, record.reason
    assert record.metrics == {"examples": 4.0, "examples_agree": 2.0, "examples_not_compiled": 1.0}
    by_code = {f.code: f for f in report.findings}
    assert set(by_code) == {"S131", "S132"}
    assert by_code["S131"].evidence["reference_actual"] == "Ok(5)"
    assert by_code["S131"].evidence["statement_span"]["line"] == 4
    assert "seven is unlucky" in by_code["S132"].evidence["reference_raised"]


JAVA_REF = """\
public final class Calc {
    private Calc() {}

    public static int half(int n) {
        if (n < 0) throw new IllegalArgumentException("negative");
        return n / 2;
    }

    public static int[] pair(int n) { return new int[] {n, n}; }

    public int instanceOnly(int n) { return n; }
}
"""


def test_java_wrong_throwing_and_array_examples():
    statement = (
        "Write the class `Calc`.\n\n"
        "- `Calc.half(4)` returns `2`.\n"
        "- `half(10)` returns `6`.\n"  # wrong: 5
        "- `half(-2)` throws `IllegalArgumentException`.\n"
        "- `half(-4)` returns `0`.\n"  # the reference throws
        "- `pair(3)` returns `new int[] {3, 3}`.\n"
        "- `instanceOnly(1)` returns `1`.\n"  # no object to call it on: not run
    )
    test = ("import static org.junit.jupiter.api.Assertions.assertEquals;\n\n"
            "import org.junit.jupiter.api.Test;\n\n"
            "class CalcTest {\n    @Test\n    void half() {\n        assertEquals(2, Calc.half(4));\n    }\n}\n")
    task = make_task("java", statement, {"CalcTest.java": test}, {"Calc.java": JAVA_REF})
    (report,) = run(task)
    record = report.checks[0]
    assert record.status == CheckStatus.RAN, record.reason
    assert record.metrics == {"examples": 5.0, "examples_agree": 3.0, "examples_not_compiled": 0.0}
    by_code = {f.code: f for f in report.findings}
    assert set(by_code) == {"S131", "S132"}
    assert by_code["S131"].evidence["reference_actual"] == "5"
    assert by_code["S132"].evidence["reference_raised"].startswith(
        "java.lang.IllegalArgumentException: negative")


def test_doctests_in_comments_multipl_e_and_humaneval_x_style():
    java = ("    // >>> hasClose((new ArrayList<Float>(Arrays.asList((float)1.0f, (float)2.0f))), (0.5f))\n"
            "    // (false)\n")
    (found,) = extract(java, {"hasClose"}, "java", {"hasClose"})
    assert (found.call, found.expected, found.kind) == (
        "hasClose((new ArrayList<Float>(Arrays.asList((float)1.0f, (float)2.0f))), (0.5f))", "(false)", "doctest")
    rust = "/// >>> truncate_number(3.5)\n/// 0.5\n/// >>> truncate_number(x)\n/// 0.5\n"
    assert [(e.call, e.expected) for e in extract(rust, {"truncate_number"}, "rust", set())] == [
        ("truncate_number(3.5)", "0.5")]


def test_humaneval_x_java_instance_methods_are_called_on_a_new_object():
    # HumanEval-X Java: `public boolean hasCloseElements(...)` in `class Solution`, examples as
    # Javadoc doctests; the generated test calls `new Solution().hasCloseElements(...)`.
    from pathlib import Path

    from taskaudit.formats import load_tasks

    fixture = Path(__file__).parents[1] / "formats" / "fixtures" / "humaneval_x" / "humaneval_java.jsonl"
    reports = run(*load_tasks([fixture]))
    for report in reports:
        assert report.checks[0].status == CheckStatus.RAN, report.checks[0].reason
        assert report.findings == []
    assert [r.checks[0].metrics["examples_agree"] for r in reports] == [2.0, 1.0]


def test_assert_lines_in_rust_and_java_statements():
    rust = '```rust\nassert_eq!(encode("aab"), Ok("2a1b".to_string()));\nassert_eq!(encode(s), Ok(t));\n```\n'
    assert [(e.call, e.expected) for e in extract(rust, {"encode"}, "rust", {"encode"})] == [
        ('encode("aab")', 'Ok("2a1b".to_string())')]
    java = 'assertEquals("2a1b", Rle.encode("aab"));\nassertEquals(List.of(1, 2), Rle.pair(1, 2));\n'
    assert [(e.call, e.expected) for e in extract(java, {"encode", "pair"}, "java", {"encode", "pair"})] == [
        ('Rle.encode("aab")', '"2a1b"'), ("Rle.pair(1, 2)", "List.of(1, 2)")]
