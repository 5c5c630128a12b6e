"""The data model every layer shares: tasks in, run results, findings and verdicts out.

These pydantic models are the JSON report's schema (``taskaudit.schemas/report.schema.json``
is generated from :class:`AuditReport`), so a field added here is a schema change: bump
``REPORT_SCHEMA_VERSION`` when a change is not backwards compatible.
"""

from __future__ import annotations

import hashlib
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

REPORT_SCHEMA_VERSION = "1.0"


class Question(str, Enum):
    """The three questions an audit answers for every task."""

    SPEC = "spec"  # are the requirements well defined?
    VALIDITY = "validity"  # do the tests check the requirements, and only them?
    STRENGTH = "strength"  # does passing the tests mean the problem is solved?


class Severity(str, Enum):
    ERROR = "error"  # the task is defective: its question fails
    WARNING = "warning"  # needs a reviewer's look: its question warns
    INFO = "info"  # context; never changes a verdict


class Status(str, Enum):
    """Status of one question."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    NOT_EVALUATED = "not_evaluated"  # no check for this question ran: never reported as pass


class Verdict(str, Enum):
    ACCEPT = "ACCEPT"
    REVISE = "REVISE"
    REJECT = "REJECT"
    ERROR = "ERROR"  # taskaudit could not evaluate the task (infrastructure, not a task defect)


class CheckStatus(str, Enum):
    RAN = "ran"
    SKIPPED = "skipped"
    ERRORED = "errored"


# --------------------------------------------------------------------------- tasks


class Task(BaseModel):
    """One task, whatever format it came from.

    File maps are keyed by POSIX paths relative to the directory they are placed in at run time:
    ``starter_files`` and ``solution_files`` relative to the workspace (``/app`` in the sandbox),
    ``test_files`` relative to the tests directory (``/tests``). Contents are bytes because
    tasks legitimately carry data files; loaders check that source and statement files decode.
    """

    model_config = ConfigDict(frozen=False)

    id: str
    source: str = Field(description="File or directory the task was loaded from")
    format: str = Field(description="Input format: harbor | jsonl | ...")
    language: str = Field(description="python | javascript | typescript | go | rust | java")
    test_runner: str = Field(description="pytest | node | jest | go | cargo | junit ...")
    statement: str
    starter_files: dict[str, bytes] = Field(default_factory=dict)
    solution_files: dict[str, bytes] = Field(default_factory=dict)
    test_files: dict[str, bytes] = Field(default_factory=dict)
    solution_paths: list[str] = Field(
        default_factory=list, description="Workspace paths that are the solution's source"
    )
    reference_available: bool = Field(
        True,
        description="False for formats that ship no reference solution (MultiPL-E): the checks "
        "that run the reference are skipped, saying why",
    )
    solution_script: str | None = Field(
        None,
        description="Set when the reference is produced by a script (Harbor's solve.sh): its "
        "path among solution_files, which then hold the whole solution directory, mounted "
        "read-only at /solution while the script runs in the starter workspace",
    )
    # Where each part came from, for findings that cite a file: logical name -> path on disk.
    origin: dict[str, str] = Field(default_factory=dict)
    timeout_sec: float = 60.0
    select: list[str] = Field(default_factory=list, description="Finding codes to keep (prefixes)")
    ignore: list[str] = Field(default_factory=list, description="Finding codes to drop (prefixes)")
    metadata: dict[str, Any] = Field(default_factory=dict)

    def content_hash(self) -> str:
        """A stable hash of everything that defines the task's behaviour."""
        h = hashlib.sha256()
        for label, files in (
            ("starter", self.starter_files),
            ("solution", self.solution_files),
            ("tests", self.test_files),
        ):
            for path in sorted(files):
                h.update(f"{label}\0{path}\0".encode())
                h.update(hashlib.sha256(files[path]).digest())
        h.update(self.statement.encode())
        h.update(f"script\0{self.solution_script}".encode())
        h.update(f"{self.language}\0{self.test_runner}\0{self.timeout_sec}".encode())
        return h.hexdigest()


class LoadError(BaseModel):
    """A task that could not be loaded: it fails alone, with the file and the problem named."""

    task_id: str
    path: str = Field(description="The file (or directory) at fault")
    problem: str


# --------------------------------------------------------------------------- runs


class Outcome(str, Enum):
    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"  # the test errored (fixture, collection of its module, crash)
    SKIPPED = "skipped"
    MISSING = "missing"  # the reference produced it, this run did not: never a pass


class TestResult(BaseModel):
    __test__ = False  # not a pytest test class

    test_id: str
    outcome: Outcome
    duration_sec: float | None = None
    message: str | None = Field(None, description="Failure or skip message, truncated")


class RunStatus(str, Enum):
    COMPLETED = "completed"  # the runner finished and reported per-test results we trust
    INCOMPLETE = "incomplete"  # the process ended without a trustworthy, complete report
    TIMEOUT = "timeout"  # wall-clock limit hit; the whole process tree was killed
    RESOURCE_LIMIT = "resource_limit"  # memory / process / output cap hit
    BUILD_FAILED = "build_failed"  # could not build or collect the tests at all
    INFRA_ERROR = "infra_error"  # sandbox or toolchain failure: says nothing about the task


class RunResult(BaseModel):
    """One run of the tests on one variant of a task's workspace."""

    variant: str = Field(description="reference | baseline | mutant:<id> | probe:<name> | ...")
    status: RunStatus
    tests: list[TestResult] = Field(default_factory=list)
    command: list[str] = Field(default_factory=list)
    exit_code: int | None = None
    duration_sec: float = 0.0
    stdout_tail: str = ""
    stderr_tail: str = ""
    detail: str = Field("", description="Why the status is what it is, in one sentence")
    run_key: str = Field("", description="Hash of everything that went into the run")
    backend: str = ""

    def outcomes(self) -> dict[str, Outcome]:
        return {t.test_id: t.outcome for t in self.tests}

    def passed_all(self, expected: list[str]) -> bool:
        """True only if every expected test id has a passing result in this run."""
        got = self.outcomes()
        return self.status == RunStatus.COMPLETED and all(
            got.get(t) == Outcome.PASSED for t in expected
        )


# --------------------------------------------------------------------------- findings


class Location(BaseModel):
    path: str
    line: int | None = None


class Finding(BaseModel):
    code: str = Field(description="Stable code, e.g. V001; a docs page per code")
    question: Question
    severity: Severity
    title: str
    message: str
    location: Location | None = None
    evidence: dict[str, Any] = Field(default_factory=dict)
    check: str = Field("", description="Name of the check that produced it")


class CheckRecord(BaseModel):
    name: str
    question: Question
    status: CheckStatus
    reason: str = Field("", description="Why it was skipped or errored")
    duration_sec: float = 0.0
    score: float | None = Field(
        None, description="The check's measured score, 0..1 (its question's score: see docs/verdicts.md)"
    )
    metrics: dict[str, float] = Field(
        default_factory=dict, description="Counts and measurements behind the score (mutants killed, ...)"
    )


class QuestionResult(BaseModel):
    status: Status
    score: float | None = Field(None, description="A measured score where one exists, 0..1")
    summary: str = ""


class TaskReport(BaseModel):
    task_id: str
    source: str
    format: str
    language: str | None = None
    content_hash: str | None = None
    verdict: Verdict
    questions: dict[Question, QuestionResult]
    findings: list[Finding] = Field(default_factory=list)
    checks: list[CheckRecord] = Field(default_factory=list)
    runs: list[RunResult] = Field(default_factory=list)
    error: str | None = Field(None, description="Why the verdict is ERROR, when it is")
    duration_sec: float = 0.0


class AuditReport(BaseModel):
    schema_version: str = REPORT_SCHEMA_VERSION
    taskaudit_version: str
    created_at: str
    sandbox_backend: str
    tasks: list[TaskReport]
    summary: dict[str, int] = Field(default_factory=dict, description="Count of tasks per verdict")
