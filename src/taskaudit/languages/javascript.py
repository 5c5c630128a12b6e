"""JavaScript and TypeScript tasks: node's built-in test runner in the sandbox, per-test results
recorded by taskaudit's own driver, checked against node's JUnit XML and the exit status. Tests
written for jest or vitest run with that runner from the task's pinned dependencies, with
taskaudit's config and reporter (``javascript_support/runners.py``).

Layout inside the sandbox: the workspace (starter + solution) at ``/app`` (writable, the working
directory), the pristine tests at ``/tests`` (read-only; tests import the solution as
``../app/<module>`` or ``/app/<module>``), the results directory at ``/results`` (writable),
taskaudit's driver at ``/taskaudit-harness``, compiled TypeScript tests at ``/taskaudit-tests``
and the task's npm dependencies (when it has some) as ``node_modules``, all read-only from
taskaudit's cache. Node itself is the host's, read-only at its host path.

Why the invocation looks the way it does (``docs/languages/javascript.md`` says more):
- ``node --import <harness>/child.mjs <harness>/driver.mjs <config>``: the driver is the first
  process; it takes the run's nonce before any task code runs, runs the
  test files *named explicitly* (never a glob over ``/app``) with ``node:test``'s ``run()`` (a
  process per file, as ``node --test``), and records every test event itself. The preload marks
  each test file's process complete only when all its tests finished, so a file whose process
  exits early (``process.exit(0)`` at load or in the function under test) never counts.
- TypeScript is type-checked and compiled by ``tsc`` outside the sandbox (it never executes
  task code), once per distinct content, into the cache (``compile_typescript``).
- Nothing in the workspace configures the run: node reads no config file, the command line and
  the environment (no ``NODE_OPTIONS``) are taskaudit's, the TypeScript options are taskaudit's
  own, and a planted ``node_modules`` is hidden. Such files are reported by ``planted_files``.

This module is the contract (``languages/base.py``) only; the work is in ``javascript_support/``:
``toolchain`` (Node, npm, the per-machine cache), ``typescript`` (compiling with tsc),
``layout`` (sandbox paths, which files are tests or planted), ``prepare`` (mounts and command),
``results`` (parsing and trusting results), ``runners`` (jest and vitest), ``analysis`` (tree-sitter static analysis).
"""

from __future__ import annotations

from pathlib import Path

from taskaudit.languages import planted
from taskaudit.languages.base import ParsedRun, PreparedRun
from taskaudit.languages.javascript_support import analysis, layout
from taskaudit.languages.javascript_support.layout import JS_SUFFIXES, TS_SUFFIXES
from taskaudit.languages.javascript_support.prepare import prepare_run
from taskaudit.languages.javascript_support.results import parse_run
from taskaudit.languages.javascript_support.toolchain import (
    TYPESCRIPT_PACKAGES,
    cache_root,
    find_node,
    find_npm,
    node_mounts,
)
from taskaudit.sandbox.base import Mount, ProcessResult


class JavaScriptLanguage:
    name = "javascript"
    runners = ("node",)
    source_suffixes = JS_SUFFIXES
    # Node reserves a huge address space: RLIMIT_AS breaks it, only a cgroup caps its memory.
    address_space_ok = False
    typescript = False

    def toolchain(self) -> tuple[bool, str]:
        node = find_node()
        if isinstance(node, str):
            return False, node
        version = f"Node.js {node[1]}"
        if self.typescript:
            version += ", TypeScript " + TYPESCRIPT_PACKAGES[0].partition("@")[2] + " (npm, cached)"
            if find_npm() is None and not (cache_root().exists()):
                return False, "npm is needed once to install TypeScript into taskaudit's cache"
        return True, version

    def toolchain_version(self) -> str:
        return self.toolchain()[1]

    def toolchain_mounts(self) -> list[Mount]:
        return list(node_mounts())

    def test_file_paths(self, test_files: list[str]) -> list[str]:
        return layout.test_file_paths(test_files, self.typescript)

    def prepare(self, workspace: Path, tests_dir: Path, results_dir: Path) -> PreparedRun:
        return prepare_run(self.typescript, workspace, tests_dir, results_dir)

    def parse(self, prepared: PreparedRun, process: ProcessResult) -> ParsedRun:
        return parse_run(prepared, process)

    def locate_test(self, test_id: str, test_files: dict[str, bytes]) -> tuple[str, int | None] | None:
        return analysis.locate_test(test_id, test_files)

    def assertion_points(self, test_files: dict[str, bytes]) -> list[tuple[str, str, int, int]]:
        return analysis.assertion_points(test_files, self.test_file_paths(list(test_files)))

    def planted_files(self, workspace: dict[str, bytes]) -> dict[str, str]:
        return planted.javascript(workspace)


class TypeScriptLanguage(JavaScriptLanguage):
    name = "typescript"
    runners = ("node",)
    source_suffixes = (*TS_SUFFIXES, *JS_SUFFIXES)
    typescript = True
