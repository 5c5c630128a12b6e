"""The Markdown report shows a requirement finding's statement quote and test line side by side."""

from __future__ import annotations

from markdown_it import MarkdownIt

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.interface import InterfaceCheck
from taskaudit.checks.unstated import UnstatedCheck
from taskaudit.report.markdown import render_markdown
from taskaudit.sandbox import get_backend

from .conftest import example

GFM = MarkdownIt("commonmark").enable("table")


def rows(markdown: str) -> list[list[str]]:
    found, row = [], None
    for token in GFM.parse(markdown):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            found.append(row)
            row = None
        elif token.type == "inline" and row is not None:
            row.append("".join(child.content for child in token.children))
    return found


def test_statement_and_test_line_side_by_side():
    report = audit([example("javascript/underspecified")], get_backend(None), AuditConfig(reference_runs=1),
                   checks=[InterfaceCheck(), UnstatedCheck()])
    markdown = render_markdown(report)
    table = rows(markdown)
    assert ["Statement says", "Test relies on"] in table
    quoted = [r for r in table if len(r) == 2 and "title has no letters or digits" in r[1]]
    assert quoted, markdown
    statement_cell, test_cell = quoted[0]
    assert statement_cell.startswith("line 9: ")
    assert "A title with no letters or digits is an error." in statement_cell
    assert "tests/slug.test.js:19" in test_cell
    # A statement that says nothing is said so, not left blank.
    assert any(r[0] == "nothing about this" for r in table if len(r) == 2)
    assert "**Reference provides it**" in markdown


def test_side_by_side_holds_for_the_rust_java_and_typescript_findings():
    tasks = [example(f"{lang}/underspecified") for lang in ("rust", "java", "typescript")]
    report = audit(tasks, get_backend(None), AuditConfig(reference_runs=1),
                   checks=[InterfaceCheck(), UnstatedCheck()])
    table = [r for r in rows(render_markdown(report)) if len(r) == 2]
    expected = [
        ("line 10: Bad input must be rejected.", "tests/sizes_test.rs:26"),  # V103, Rust
        ("nothing about this", "tests/sizes_test.rs:31"),  # V107, Rust
        ("nothing about this", "tests/ClockTest.java:19"),  # V103, Java: no word about errors
        ("nothing about this", "tests/money.test.ts:26"),  # V107, TypeScript
    ]
    for statement, test in expected:
        assert any(r[0] == statement and test in r[1] for r in table), (statement, test, table)
