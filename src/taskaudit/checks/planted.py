"""Validity (warning): the reference solution plants test-runner configuration.

Every language module knows the files and code that would configure or hook its test runner
if honoured (``languages/planted.py``: a ``conftest.py``, a ``pom.xml`` configuring surefire,
``harness = false`` in ``Cargo.toml``, a Go ``TestMain`` outside a test file, a static
initialiser calling ``System.exit``, a ``jest`` key in ``package.json``, ...). taskaudit's runs
ignore all of them, so a solution that plants them gains nothing here; each run records them in
its ``detail``.

On an agent's or a probe's variant such a file is a cheat signal. On the *reference* it means
the task itself relies on configuration its real verifier (``tests/test.sh``) may honour while
taskaudit does not: the reference's verdict under the real harness can differ from the one
taskaudit measured, and solvers are invited to plant the same. Only files the solution adds or
changes count; configuration already in the starter is the task's environment. Static: it reads
the reference workspace and runs nothing.
"""

from __future__ import annotations

from taskaudit.checks.base import AuditConfig, AuditContext, CheckSkipped, register
from taskaudit.model import Finding, Location, Question, Severity, Task

NAME = "planted"
_EXCERPT = 1500

V301 = register(
    "V301", Question.VALIDITY, Severity.WARNING, "Solution plants test-runner configuration", NAME
)


class PlantedCheck:
    name = NAME
    question = Question.VALIDITY
    description = "Flags test-runner configuration or hooks the reference solution adds to the workspace."

    def needs(self, task: Task, config: AuditConfig) -> list[tuple[str, int]]:
        return []

    def run(self, ctx: AuditContext) -> list[Finding]:
        from taskaudit.languages import ToolchainMissing, get_language

        task = ctx.task
        if not task.reference_available:
            raise CheckSkipped(f"the {task.format} format ships no reference solution")
        try:
            language = get_language(task.language)
        except ToolchainMissing as exc:
            raise CheckSkipped(str(exc)) from None
        if task.solution_script:
            workspace = ctx.executor.reference_workspace() if ctx.executor is not None else None
            if workspace is None:
                raise CheckSkipped(f"{task.solution_script} produced no reference workspace to read")
        else:
            workspace = {**task.starter_files, **task.solution_files}
        planted = language.planted_files(workspace)
        findings = []
        for path, what in planted.items():
            if task.starter_files.get(path) == workspace[path]:
                continue  # the starter's own configuration: the task's environment
            content = workspace[path].decode("utf-8", errors="replace")
            findings.append(
                ctx.finding(
                    V301,
                    f"the reference solution {'changes' if path in task.starter_files else 'adds'} "
                    f"{path}: {what}. taskaudit's runs ignore it, but the task's own verifier may "
                    "honour it, so the reference's result there can differ from the one measured here",
                    location=self._location(ctx, path),
                    evidence={
                        "path": path,
                        "what": what,
                        "in_starter": path in task.starter_files,
                        "content": content[:_EXCERPT] + ("..." if len(content) > _EXCERPT else ""),
                    },
                )
            )
        return findings

    @staticmethod
    def _location(ctx: AuditContext, path: str) -> Location | None:
        origin = ctx.task.origin
        exact = origin.get(f"solution/{path}")
        if exact is None:
            # Harbor keeps the solution's files under solution/ (e.g. solution/app/<path>).
            matches = [v for k, v in origin.items() if k.startswith("solution/") and k.endswith("/" + path)]
            exact = matches[0] if len(matches) == 1 else None
        if exact:
            return Location(path=exact)
        return ctx.location("solution_dir") or ctx.location("solution")
