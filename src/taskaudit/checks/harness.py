"""Validity (static): is the task's own test script a trustworthy judge?

A Harbor task ships ``tests/test.sh``, and that script, not taskaudit, decides the reward when
the task is used. This check reads it without running it (``probes/harness_scan.py``) and
flags each weakness at its exact line. ``checks/probes.py`` reads the scan to say which of the
cheats taskaudit blocked this script would have let through.
"""

from __future__ import annotations

from taskaudit.checks.base import AuditConfig, AuditContext, CheckSkipped, register
from taskaudit.model import Finding, Question, Severity, Task
from taskaudit.probes.harness_scan import find_script, scan

NAME = "harness"

V201 = register("V201", Question.VALIDITY, Severity.INFO,
                "Test script rewards the runner's exit status alone", NAME)
V202 = register("V202", Question.VALIDITY, Severity.ERROR,
                "Test script loses the runner's exit status", NAME)
V203 = register("V203", Question.VALIDITY, Severity.WARNING,
                "Test script installs software at test time", NAME)
V204 = register("V204", Question.VALIDITY, Severity.WARNING,
                "Test script fetches from the network at test time", NAME)
V205 = register("V205", Question.VALIDITY, Severity.INFO,
                "Test script runs the tests inside the solution's workspace", NAME)
V206 = register("V206", Question.VALIDITY, Severity.INFO,
                "Test script installs locked dependencies at test time", NAME)


class HarnessCheck:
    name = NAME
    question = Question.VALIDITY
    description = "Reads the task's own test script (tests/test.sh) for weaknesses, statically."

    def needs(self, task: Task, config: AuditConfig) -> list[tuple[str, int]]:
        return []

    def run(self, ctx: AuditContext) -> list[Finding]:
        script = find_script(ctx.task.test_files)
        if script is None:
            raise CheckSkipped("the task ships no test script of its own (tests/test.sh)")
        result = scan(script, ctx.task.test_files[script])
        ctx.shared["harness_scan"] = result
        findings = []
        for issue in result.issues:
            findings.append(
                ctx.finding(
                    issue.code,
                    f"{script}:{issue.line}: {issue.message}",
                    location=ctx.location(f"tests/{script}", issue.line) or ctx.location("tests_dir"),
                    evidence={"script": f"tests/{script}", "line": issue.line, "text": issue.text},
                )
            )
        return findings
