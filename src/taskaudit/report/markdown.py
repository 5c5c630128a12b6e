"""The Markdown report: a summary table, then a section per task with its evidence.

Written for GitHub-flavoured Markdown (pull-request comments, CI job summaries, review
tickets). Everything in it that came from a task or a check is escaped, so a test id with a
``|`` cannot break a table and a message with ``<module>`` or backticks prints as written.
"""

from __future__ import annotations

import re

from taskaudit.model import (
    AuditReport,
    CheckRecord,
    CheckStatus,
    Finding,
    Outcome,
    Question,
    QuestionResult,
    Status,
    TaskReport,
    TestResult,
)

from .common import (
    STATUS_LABEL,
    cap,
    clean,
    first_line,
    grouped_findings,
    location_label,
    question_result,
    score_label,
    verdict_counts,
)
from .dataset import dataset_stats
from .evidence import Block, collect_evidence

# Caps keep a report with thousands of tasks loadable in a browser; the JSON keeps everything.
MAX_BLOCK_LINES = 60
MAX_BLOCK_CHARS = 6000
MAX_TEST_ROWS = 50
MAX_CELL_CHARS = 300


def render_markdown(report: AuditReport) -> str:
    """The whole report as one GitHub-flavoured Markdown document."""
    counts = verdict_counts(report.tasks)
    lines = [
        "# taskaudit report",
        "",
        f"taskaudit {_text(report.taskaudit_version)} · sandbox {_code(report.sandbox_backend)} "
        f"· {_text(report.created_at)} · report schema {_text(report.schema_version)}",
        "",
        f"**{len(report.tasks)} task{'' if len(report.tasks) == 1 else 's'}:** "
        + ", ".join(f"{n} {verdict.value}" for verdict, n in counts.items()),
        "",
        *(_overview(report) if len(report.tasks) > 1 else []),
        *_summary_table(report.tasks),
    ]
    for number, task in enumerate(report.tasks, 1):
        lines += ["", *_task_section(number, task)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- escaping

# Characters that would start emphasis, code, links, HTML or entities inside a line of text.
_INLINE_SPECIAL = re.compile(r"([\\`*\[\]<>&~])")
# An underscore between two letters or digits never starts emphasis, so test_ids stay readable
# in the Markdown source; any other underscore is escaped.
_LOOSE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")


def _text(value: str) -> str:
    """Plain text, shown literally on one line."""
    escaped = _INLINE_SPECIAL.sub(r"\\\1", " ".join(clean(value).split()))
    return _LOOSE_UNDERSCORE.sub(r"\\_", escaped)


# What a line may start with to become a heading, quote, list, rule or setext underline; for an
# ordered list ("3." or "3)") it is the punctuation after the number that must be escaped.
_BLOCK_START = re.compile(r"^(\d*)([#>+=.)-])")


def _paragraph(value: str) -> str:
    """Plain text starting a line: also escape what would turn the line into a block."""
    return _BLOCK_START.sub(r"\1\\\2", _text(value))


def _code(value: str) -> str:
    """An inline code span, its delimiter longer than any run of backticks inside it."""
    value = " ".join(clean(value).split())
    if not value:
        return ""  # an empty span would print its backticks literally
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", value)), default=0) + 1)
    # A span starting or ending with a backtick needs a space, which CommonMark strips again.
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{ticks}{pad}{value}{pad}{ticks}"


def _cell(markdown: str) -> str:
    """Make inline Markdown safe in a table cell.

    GFM splits rows on unescaped pipes before parsing inlines, even inside code spans, so every
    ``|`` is escaped here, after the cell's Markdown is built.
    """
    return markdown.replace("|", "\\|")


def _fence(text: str, lang: str = "") -> list[str]:
    """A fenced block whose fence no line of the content can close."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return [f"{ticks}{lang}", *text.splitlines(), ticks]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A GFM table from cells already rendered as inline Markdown."""
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows),
    ]


# --------------------------------------------------------------------------- summary


def _status(result: QuestionResult) -> str:
    label = STATUS_LABEL[result.status]
    if result.status == Status.FAIL:
        label = f"**{label}**"
    elif result.status == Status.NOT_EVALUATED:
        label = f"*{label}*"  # set apart so it is never skimmed as a pass
    score = score_label(result.score)
    return f"{label} {score}" if score else label


def _summary_table(tasks: list[TaskReport]) -> list[str]:
    rows = [
        [
            f"[{_code(task.task_id)}](#task-{number})",
            f"**{task.verdict.value}**",
            *(_status(question_result(task, q)) for q in Question),
            str(len(task.findings)),
        ]
        for number, task in enumerate(tasks, 1)
    ]
    return _table(["Task", "Verdict", "Spec", "Validity", "Strength", "Findings"], rows)


# --------------------------------------------------------------------------- dataset overview

BAR_WIDTH = 30
MAX_OVERVIEW_CODES = 20


def _bar(count: int, top: int) -> str:
    """A text bar in eighths of a block, so small counts still show."""
    if not count or not top:
        return ""
    eighths = max(1, round(BAR_WIDTH * 8 * count / top))
    return "█" * (eighths // 8) + ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")[eighths % 8]


def _overview(report: AuditReport) -> list[str]:
    """The dataset at a glance: verdicts, questions, codes, languages, scores, slowest tasks.

    Charts are text bars in fenced blocks (they render the same on GitHub, in a CI summary and
    in a terminal); the per-task table stays the document's first table.
    """
    stats = dataset_stats(report)
    total = stats.total
    top = max(stats.verdicts.values())
    chart = [
        f"{v.value:<6} {n:>6}  {_bar(n, top):<{BAR_WIDTH + 1}} {stats.share(n):>4.0%}"
        for v, n in stats.verdicts.items()
    ]
    lines = ["## Dataset overview", "", "**Verdicts**", "", *_fence("\n".join(chart), "text"), ""]
    answers = []
    for q, counts in stats.questions.items():
        parts = ", ".join(f"{n} {STATUS_LABEL[s]}" for s, n in counts.items() if n)
        answers.append(f"- **{q.value}**: {parts}")
    lines += ["**Questions**", "", *answers, ""]
    if stats.codes:
        top_code = stats.codes[0].tasks
        rows = [
            f"{c.code:<6} {c.severity.value:<7} {c.question.value:<8} {c.tasks:>6} tasks "
            f"{c.findings:>6} findings  {_bar(c.tasks, top_code)}"
            for c in stats.codes[:MAX_OVERVIEW_CODES]
        ]
        if len(stats.codes) > MAX_OVERVIEW_CODES:
            rows.append(f"… {len(stats.codes) - MAX_OVERVIEW_CODES} more codes")
        # Titles are in the task sections below (and in docs/codes/): a code per line here.
        lines += ["**Findings by code** (tasks with at least one)", "", *_fence("\n".join(rows), "text"), ""]
    lines += ["**By language**", ""]
    for language, counts in stats.languages.items():
        n = sum(counts.values())
        parts = ", ".join(f"{k} {v.value}" for v, k in counts.items() if k)
        lines.append(f"- {_text(language)}: {n} task{'' if n == 1 else 's'} ({parts})")
    lines.append("")
    for s in stats.scores:
        hist = s.histogram()
        top_bin = max(hist)
        rows = [
            f"{i * 10:>3}–{(i + 1) * 10:<3}% {n:>5}  {_bar(n, top_bin)}" for i, n in enumerate(hist)
        ]
        lines += [
            f"**{s.question.value} scores**: {len(s.scores)} tasks, mean {score_label(s.mean)}, "
            f"lowest {score_label(min(s.scores))}",
            "",
            *_fence("\n".join(rows), "text"),
            "",
        ]
    if stats.check_problems:
        lines += ["**Checks that did not run**", ""]
        for check, status, reason, n in stats.check_problems[:20]:
            lines.append(f"- {_code(check)} {status} in {n} task{'' if n == 1 else 's'}: {_text(reason)}")
        lines.append("")
    if stats.slowest:
        lines += [f"**Slowest tasks** ({stats.total_duration_sec:.1f} s over all {total})", ""]
        lines += [
            f"{i}. {_code(t.task_id)} {t.duration_sec:.1f} s, {t.verdict.value}"
            for i, t in enumerate(stats.slowest, 1)
        ]
        lines.append("")
    lines += ["## Tasks", ""]
    return lines


# --------------------------------------------------------------------------- per task


def _task_section(number: int, task: TaskReport) -> list[str]:
    about = [_text(p) for p in (task.language, task.format) if p]
    about.append(f"source {_code(task.source)}")
    if task.duration_sec:
        about.append(f"{task.duration_sec:.1f} s")
    lines = [
        # An explicit anchor: heading slugs of arbitrary task ids are not predictable.
        f'<a id="task-{number}"></a>',
        "",
        f"## {task.verdict.value} · {_code(task.task_id)}",
        "",
        " · ".join(about),
        "",
    ]
    if task.error:
        lines += [f"> **Could not evaluate:** {_text(task.error)}", ""]
    results = {q: question_result(task, q) for q in Question}
    lines += _table(
        ["Question", "Status", "Summary"],
        [[q.value, _status(r), _text(r.summary)] for q, r in results.items()],
    )
    lines += ["", "### Findings", ""]
    if not task.findings:
        lines += ["No findings.", ""]
    for group in grouped_findings(task.findings):
        lines += _problem(group, task.language)
    lines += ["### Checks", ""]
    lines += _checks(task.checks) if task.checks else ["No checks recorded."]
    return lines


def _problem(group: list[Finding], language: str | None) -> list[str]:
    """One heading per problem, then each finding's message and evidence."""
    first = group[0]
    count = f" ({len(group)} findings)" if len(group) > 1 else ""
    where = [f"{first.question.value} question"]
    if first.location:
        where.insert(0, _code(location_label(first.location)))
    if first.check:
        where.append(f"check {_code(first.check)}")
    lines = [
        f"#### {_code(first.code)} · {first.severity.value} · {_text(first.title)}{count}",
        "",
        " · ".join(where),
        "",
    ]
    for finding in group:
        message = clean(finding.message).strip()
        # A one-line message reads as prose; a longer one keeps its layout in a block.
        lines += [*([_paragraph(message)] if "\n" not in message else _fence(message, "text")), ""]
        evidence = _evidence(finding, language)
        if evidence:
            lines += ["<details>", "<summary>Evidence</summary>", "", *evidence, "</details>", ""]
    return lines


# Evidence keys the requirement checks share: shown side by side, not as generic fields.
_SIDE_BY_SIDE = ("statement_span", "test_location", "reference_location")


def _side_by_side(finding: Finding) -> tuple[list[str], Finding]:
    """The statement quote and the test line a finding concerns, as a two-column table (and the
    reference line under it), plus the finding with those keys taken out of its evidence."""
    ev = finding.evidence
    if "statement_span" not in ev or "test_location" not in ev:
        return [], finding
    rest = finding.model_copy(update={"evidence": {k: v for k, v in ev.items() if k not in _SIDE_BY_SIDE}})

    def quote(where: object, silent: str) -> str:
        if not isinstance(where, dict):
            return f"*{silent}*"
        label = f"line {where.get('line')}" if "path" not in where else (
            f"{where.get('path')}:{where.get('line')}" if where.get("line") else str(where.get("path")))
        return f"{_text(label)}: {_code(str(where.get('text', '')))}"

    lines = _table(["Statement says", "Test relies on"], [[
        quote(ev.get("statement_span"), "nothing about this"),
        quote(ev.get("test_location"), "no test line"),
    ]]) + [""]
    if isinstance(ev.get("reference_location"), dict):
        lines += [f"**Reference provides it** {quote(ev['reference_location'], '')}", ""]
    return lines, rest


def _evidence(finding: Finding, language: str | None) -> list[str]:
    lines, finding = _side_by_side(finding)
    ev = collect_evidence(finding, language)
    if ev.command:
        lines += ["**Command**", "", *_fence(f"$ {ev.command}", "console"), ""]
    if ev.run:
        lines += [f"**Run** {_text(ev.run)}", ""]
    if ev.tests:
        lines += [*_tests(ev.tests), ""]
    if ev.fields:
        lines += [f"- **{_text(key)}**: {_text(value)}" for key, value in ev.fields] + [""]
    for block in ev.blocks:
        lines += [f"**{_text(block.label)}**", "", *_block(block), ""]
    return lines


def _tests(tests: list[TestResult]) -> list[str]:
    # Failures first (stable sort: runner order within each group), since they are the evidence.
    ordered = sorted(tests, key=lambda t: t.outcome == Outcome.PASSED)
    rows = [
        [
            _code(t.test_id),
            f"**{t.outcome.value}**" if t.outcome != Outcome.PASSED else t.outcome.value,
            _text(first_line(clean(t.message or ""))[:MAX_CELL_CHARS]),
        ]
        for t in ordered[:MAX_TEST_ROWS]
    ]
    lines = _table(["Test", "Outcome", "Message"], rows)
    if len(ordered) > MAX_TEST_ROWS:
        lines += ["", f"… {len(ordered) - MAX_TEST_ROWS} more tests not shown."]
    return lines


def _block(block: Block) -> list[str]:
    text = cap(block.text, MAX_BLOCK_LINES, MAX_BLOCK_CHARS, block.keep_tail)
    return _fence(text, block.lang)


def _checks(checks: list[CheckRecord]) -> list[str]:
    rows = [
        [
            _code(c.name),
            c.question.value,
            c.status.value if c.status == CheckStatus.RAN else f"**{c.status.value}**",
            _text(c.reason),
        ]
        for c in checks
    ]
    return _table(["Check", "Question", "Status", "Reason"], rows)
