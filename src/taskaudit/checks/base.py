"""What a check is, the registry of finding codes, and the context checks run in.

A check reads the task and the results of variant runs; it never spawns a process itself.
It declares the runs it needs (``needs``), the engine schedules them (in parallel, through
the runner and the sandbox), and ``AuditContext.run`` hands the results back.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from taskaudit.model import Finding, Location, Question, RunResult, Severity, Task

if TYPE_CHECKING:
    from taskaudit.runner import Variant


@dataclass(frozen=True)
class CodeInfo:
    code: str
    question: Question
    severity: Severity
    title: str  # one line, also the code's docs page title
    check: str


CODES: dict[str, CodeInfo] = {}


def register(code: str, question: Question, severity: Severity, title: str, check: str) -> str:
    if code in CODES and CODES[code] != CodeInfo(code, question, severity, title, check):
        raise ValueError(f"finding code {code} registered twice with different meanings")
    CODES[code] = CodeInfo(code, question, severity, title, check)
    return code


def not_runnable_reason(task: Task) -> str:
    """Why an execution check did not run on a task that cannot run (a SWE-bench instance)."""
    return (f"the repository environment is not available: a {task.format} instance is "
            "audited statically, without a checkout")


class CheckSkipped(Exception):
    """The check could not apply to this task; the message says why."""


class CheckInfraError(Exception):
    """The check could not be evaluated for reasons outside the task (sandbox, toolchain, timeout)."""


@dataclass
class AuditConfig:
    reference_runs: int = 3
    select: list[str] = field(default_factory=list)  # finding-code prefixes to keep
    ignore: list[str] = field(default_factory=list)  # finding-code prefixes to drop
    # Candidate solutions (JSONL file or folder) for differential testing (docs/inputspace.md),
    # and a digest of their content so the results store re-audits when they change.
    candidates: str | None = None
    candidates_digest: str | None = None


class AuditContext:
    """Everything a check may look at for one task."""

    def __init__(
        self,
        task: Task,
        config: AuditConfig,
        runs: dict[tuple[str, int], Future[RunResult]],
        check_name: str = "",
        executor: "VariantExecutor | None" = None,
    ) -> None:
        self.task = task
        self.config = config
        self._runs = runs
        self.check_name = check_name
        self.executor = executor  # None when the task's toolchain is unavailable
        self.shared: dict[str, Any] = {}  # results one check leaves for later ones
        self.scores: dict[str, float] = {}  # check name -> its measured score (0..1)
        self.metrics: dict[str, dict[str, float]] = {}  # check name -> its measurements

    def set_score(self, score: float, **metrics: float) -> None:
        """Record the running check's measured score (0..1) and the counts behind it."""
        self.scores[self.check_name] = float(score)
        self.metrics.setdefault(self.check_name, {}).update({k: float(v) for k, v in metrics.items()})

    def run_variants(self, variants: "list[Variant]") -> list[RunResult]:
        """Run extra variants (probes, rebuilt mutants) through the audit's run pool.

        Results come back in the order given. The check still never spawns a process: the
        engine runs them in the sandbox like the declared runs.
        """
        if self.task.metadata.get("runnable") is False:
            raise CheckSkipped(not_runnable_reason(self.task))
        if self.executor is None:
            raise CheckInfraError("no toolchain to run variants with")
        return self.executor.run_many(variants)

    def run(self, variant: str, index: int = 0) -> RunResult:
        """The result of a scheduled run (blocks until it is done)."""
        try:
            future = self._runs[(variant, index)]
        except KeyError:
            raise RuntimeError(
                f"check {self.check_name!r} read run {variant}#{index} it did not declare"
            ) from None
        return future.result()

    def finding(
        self,
        code: str,
        message: str,
        *,
        location: Location | None = None,
        evidence: dict[str, Any] | None = None,
        severity: "Severity | None" = None,
    ) -> Finding:
        info = CODES[code]
        return Finding(
            code=code,
            question=info.question,
            severity=severity or info.severity,
            title=info.title,
            message=message,
            location=location,
            evidence=evidence or {},
            check=self.check_name,
        )

    def location(self, origin_key: str, line: int | None = None) -> Location | None:
        """A location in the task's files, from the loader's record of where each part came from."""
        path = self.task.origin.get(origin_key)
        return Location(path=path, line=line) if path else None

    def test_location(self, test_id: str) -> Location | None:
        """Where a test is defined (file and line), else the tests directory."""
        from taskaudit.languages import ToolchainMissing, get_language

        try:
            found = get_language(self.task.language).locate_test(test_id, self.task.test_files)
        except ToolchainMissing:
            found = None
        where = self.location(f"tests/{found[0]}", found[1]) if found else None
        # Function-level formats keep the tests in one record: cite it ("tests").
        return where or self.location("tests_dir") or self.location("tests")


class VariantExecutor(Protocol):
    """What the engine lends a check for runs it cannot declare up front (see audit.py)."""

    backend: Any  # taskaudit.sandbox.base.SandboxBackend
    language: Any  # taskaudit.languages.base.Language

    def reference_workspace(self) -> "dict[str, bytes] | None":
        """The reference's complete workspace (None when its solve script failed)."""

    def run_many(self, variants: "list[Variant]") -> list[RunResult]: ...


class Check(Protocol):
    name: str
    question: Question
    description: str

    def needs(self, task: Task, config: AuditConfig) -> list[tuple[str, int]]:
        """The variant runs it reads, as (variant name, how many runs)."""

    def run(self, ctx: AuditContext) -> list[Finding]: ...

