"""The language contract: how to run one language's tests in the sandbox and read per-test results.

A language module never decides a verdict; it turns a workspace into a command, and the
runner's output into per-test results it can trust (or says why it cannot).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from taskaudit.languages import ToolchainMissing  # noqa: F401 - re-exported
from taskaudit.model import RunStatus, TestResult
from taskaudit.sandbox.base import Mount, ProcessResult


@dataclass
class PreparedRun:
    """What the runner hands to the sandbox for one variant."""

    argv: list[str]
    cwd: str
    mounts: list[Mount]
    env: dict[str, str] = field(default_factory=dict)
    results_dir: Path | None = None  # host dir the runner writes machine-readable results into
    secret: str = ""  # nonce the trusted runner plugin must echo back (see languages/python.py)


@dataclass
class ParsedRun:
    status: RunStatus
    tests: list[TestResult]
    detail: str = ""


class Language(Protocol):
    name: str  # "python"
    runners: tuple[str, ...]  # test runners this module drives, first is the default
    source_suffixes: tuple[str, ...]

    def toolchain(self) -> tuple[bool, str]:
        """(available, version or what to install)."""

    def prepare(self, workspace: Path, tests_dir: Path, results_dir: Path) -> PreparedRun: ...

    def parse(self, prepared: PreparedRun, process: ProcessResult) -> ParsedRun: ...

    def locate_test(self, test_id: str, test_files: dict[str, bytes]) -> tuple[str, int | None] | None:
        """(path relative to the tests dir, line) of a test id, when it can be found."""

    def planted_files(self, workspace: dict[str, bytes]) -> dict[str, str]:
        """{path: what it would configure or hook} for the workspace's files (path -> content)
        that would configure or hook the test runner if it honoured them (they are inert in
        taskaudit's runs). Content counts: see ``languages/planted.py``."""

    def assertion_points(self, test_files: dict[str, bytes]) -> list[tuple[str, str, int, int]]:
        """(file, test name, line, assertion points) per test function, read statically."""


__all__ = ["Language", "ParsedRun", "PreparedRun", "ToolchainMissing"]
