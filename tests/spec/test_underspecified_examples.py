"""The underspecified examples in every language: the interface and unstated checks find what
each statement omits, each finding with the test line it concerns (and the reference line that
provides the thing, or the statement span that talks around it)."""

from __future__ import annotations

import pytest

from taskaudit.checks.interface import InterfaceCheck
from taskaudit.checks.unstated import UnstatedCheck

from .conftest import example, run_static

# language -> {(code, the name / message / output it is about, test file:line)}
EXPECTED = {
    "python": {("V101", "format_duration", "test_duration.py:3"),
               ("V102", "ValueError", "test_duration.py:19"),
               ("V103", "empty duration", "test_duration.py:19"),
               ("V107", "1h 2m 5s", "test_duration.py:29")},
    "go": {("V101", "CountWords", "wc_test.go:11"),
           ("V101", "ErrEmpty", "wc_test.go:26"),
           ("V103", "wc: empty text", "wc_test.go:29"),
           ("S141", "error", "wc_test.go:26")},
    "javascript": {("V101", "MAX_LENGTH", "slug.test.js:4"),
                   ("V102", "TypeError", "slug.test.js:19"),
                   ("V103", "title has no letters or digits", "slug.test.js:19"),
                   ("S142", "null", "slug.test.js:23")},
    "rust": {("V101", "format_size", "sizes_test.rs:1"),
             ("V101", "SizeError", "sizes_test.rs:1"),
             ("V103", "unknown unit: XB", "sizes_test.rs:26"),
             ("V107", "1.5 KiB", "sizes_test.rs:31"),
             ("S142", "empty", "sizes_test.rs:20")},
    "java": {("V101", "toText", "ClockTest.java:34"),
             ("V102", "IllegalArgumentException", "ClockTest.java:18"),
             ("V103", "hour out of range: 25", "ClockTest.java:19"),
             ("V107", "1h 30m", "ClockTest.java:34"),
             ("S141", "error", "ClockTest.java:18"),
             ("S142", "empty", "ClockTest.java:29")},
    "typescript": {("V101", "formatCents", "money.test.ts:4"),
                   ("V102", "RangeError", "money.test.ts:21"),
                   ("V103", "not an amount: twelve", "money.test.ts:21"),
                   ("V107", "12.50 EUR", "money.test.ts:26"),
                   ("S141", "error", "money.test.ts:21"),
                   ("S142", "negative", "money.test.ts:17")},
}


def _subject(finding) -> str:  # noqa: ANN001
    e = finding.evidence
    return next(str(e[k]) for k in ("name", "error_type", "asserted_message", "expected_output", "case")
                if k in e)


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_each_omission_is_found_with_its_test_line(language):
    task = example(f"{language}/underspecified")
    findings = run_static(InterfaceCheck(), task) + run_static(UnstatedCheck(), task)
    found = set()
    for f in findings:
        test = f.evidence["test_location"]
        found.add((f.code, _subject(f), f"{test['path'].rsplit('/', 1)[-1]}:{test['line']}"))
        assert test["text"], f  # the test line itself, quoted
        if f.code.startswith("V"):
            # the reference line that provides what the test needs
            assert "/solution/" in f.evidence["reference_location"]["path"], f
    assert EXPECTED[language] <= found, sorted(found)


def test_the_error_findings_quote_the_statement_sentence_that_talks_around_the_error():
    (v103,) = [f for f in run_static(InterfaceCheck(), example("rust/underspecified")) if f.code == "V103"]
    assert v103.evidence["statement_span"]["text"] == "Bad input must be rejected."
    assert v103.evidence["statement_span"]["line"] == 10
