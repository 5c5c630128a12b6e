"""Rust tasks: ``cargo test`` on a sanitised manifest, per-test results from libtest's output.

This module is the contract (``languages/base.py``); the work is in ``rust_support/``:

- ``toolchain``: the host's real Rust toolchain (rustup proxies resolved), detected once;
- ``vendor``: registry dependencies fetched outside the sandbox with ``cargo vendor``, cached
  per machine and mounted read-only;
- ``layout``: where the task's test files go in the crate; configuration a solution plants;
- ``manifest``: taskaudit's own ``Cargo.toml``, rebuilt from the workspace's;
- ``run``: the sandbox layout, mounts, command and environment of one run, and reading it back;
- ``results``: why a run's results are trusted: every test target of the task must print
  libtest's ``running N tests`` header, N result lines and a ``test result:`` summary that
  agrees with them, and the exit code must agree with the summaries; a solution that exits
  early leaves a target without its summary, and the run is INCOMPLETE;
- ``analysis``: locating tests and counting assertion points with tree-sitter.

See ``docs/languages/rust.md``.
"""

from __future__ import annotations

from pathlib import Path

from taskaudit.languages import planted
from taskaudit.languages.base import ParsedRun, PreparedRun
from taskaudit.languages.rust_support import analysis, run
from taskaudit.languages.rust_support.toolchain import NO_TOOLCHAIN, host_toolchain
from taskaudit.sandbox.base import Mount, ProcessResult


class RustLanguage:
    name = "rust"
    runners = ("cargo",)
    source_suffixes = (".rs",)
    # rustc and test binaries reserve large address ranges; an RLIMIT_AS cap breaks them.
    address_space_ok = False

    # ------------------------------------------------------------------ toolchain

    def toolchain(self) -> tuple[bool, str]:
        tc = host_toolchain()
        if tc is None:
            return False, NO_TOOLCHAIN
        return True, tc.version

    def toolchain_version(self) -> str:
        return self.toolchain()[1]

    def toolchain_mounts(self) -> list[Mount]:
        tc = host_toolchain()
        return list(tc.mounts) if tc else []

    # ------------------------------------------------------------------ run

    def prepare(self, workspace: Path, tests_dir: Path, results_dir: Path) -> PreparedRun:
        return run.prepare(workspace, tests_dir, results_dir)

    def parse(self, prepared: PreparedRun, process: ProcessResult) -> ParsedRun:
        return run.parse(prepared, process)

    # ------------------------------------------------------------------ static analysis

    def locate_test(
        self, test_id: str, test_files: dict[str, bytes]
    ) -> tuple[str, int | None] | None:
        return analysis.locate_test(test_id, test_files)

    def planted_files(self, workspace: dict[str, bytes]) -> dict[str, str]:
        return planted.rust(workspace)

    def assertion_points(self, test_files: dict[str, bytes]) -> list[tuple[str, str, int, int]]:
        return analysis.assertion_points(test_files)
