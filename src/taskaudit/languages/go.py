"""Go tasks: test binaries built first, run second, per-test results from the test2json stream.

This module is the language contract (``languages/base.py``) only; each method delegates to
``go_support/``, one module per concern:

- ``harness``: what runs inside the sandbox (the driver script, the recorder) and the layout;
- ``toolchain``: finding Go, and the per-machine cache (prewarmed standard library, driver);
- ``modules``: a go.mod's dependencies, downloaded and prebuilt once per machine;
- ``source``: package names, test files, go.mod and imports read as text;
- ``workspace``: preparing one run (layout, mounts, go.mod, recorders, command);
- ``results``: parsing a run's output and deciding whether to trust it;
- ``analysis``: static analysis of the test files (tree-sitter).

How a run works and why its results are trusted: ``docs/languages/go.md``.
"""

from __future__ import annotations

from pathlib import Path

from taskaudit.languages import planted
from taskaudit.languages.base import ParsedRun, PreparedRun
from taskaudit.languages.go_support.analysis import assertion_points, locate_test
from taskaudit.languages.go_support.results import parse_run, parse_stream
from taskaudit.languages.go_support.source import sanitize_go_mod
from taskaudit.languages.go_support.toolchain import detect_toolchain
from taskaudit.languages.go_support.workspace import GoPreparedRun, prepare
from taskaudit.sandbox.base import Mount, ProcessResult

__all__ = [
    "GoLanguage",
    "GoPreparedRun",
    "assertion_points",
    "locate_test",
    "parse_stream",
    "sanitize_go_mod",
]


class GoLanguage:
    name = "go"
    runners = ("go",)
    source_suffixes = (".go",)
    # The Go runtime reserves a large address space up front: RLIMIT_AS breaks it.
    address_space_ok = False

    def toolchain(self) -> tuple[bool, str]:
        tc = detect_toolchain()
        if isinstance(tc, str):
            return False, tc
        return True, tc.describe

    def toolchain_version(self) -> str:
        return self.toolchain()[1]

    def toolchain_mounts(self) -> list[Mount]:
        tc = detect_toolchain()
        if isinstance(tc, str):
            return []
        return [Mount(host=Path(tc.goroot), target=tc.goroot)]

    def prepare(self, workspace: Path, tests_dir: Path, results_dir: Path) -> GoPreparedRun:
        try:
            return prepare(workspace, tests_dir, results_dir)
        except Exception as exc:  # noqa: BLE001 - any failure here is taskaudit's, not the task's
            return GoPreparedRun(
                argv=["/bin/true"],
                cwd="/",
                mounts=[],
                results_dir=results_dir,
                problem=f"could not prepare the Go run: {type(exc).__name__}: {exc}",
            )

    def parse(self, prepared: PreparedRun, process: ProcessResult) -> ParsedRun:
        return parse_run(prepared, process)

    def locate_test(
        self, test_id: str, test_files: dict[str, bytes]
    ) -> tuple[str, int | None] | None:
        return locate_test(test_id, test_files)

    def assertion_points(self, test_files: dict[str, bytes]) -> list[tuple[str, str, int, int]]:
        return assertion_points(test_files)

    def planted_files(self, workspace: dict[str, bytes]) -> dict[str, str]:
        return planted.go(workspace)
