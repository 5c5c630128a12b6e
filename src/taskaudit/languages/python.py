"""Python tasks: pytest run inside the sandbox, per-test results from JUnit XML, checked twice.

Layout inside the sandbox: the workspace (starter + solution) at ``/app`` (writable, the
working directory), the pristine tests at ``/tests`` (read-only), the results directory at
``/results`` (writable), and taskaudit's own interpreter and harness files read-only at
their host paths.

Why the invocation looks the way it does:
- ``python -I -B``: isolated mode ignores ``PYTHON*`` variables and does not put the working
  directory on ``sys.path``, so a ``sitecustomize.py`` or ``usercustomize.py`` the solution
  planted in ``/app`` is never imported at start-up; ``-B`` writes no bytecode.
- ``-c <harness ini>`` with ``--rootdir=/tests --confcutdir=/tests``: a ``pytest.ini``,
  ``tox.ini``, ``setup.cfg`` or ``pyproject.toml`` in the workspace is never read, and a
  ``conftest.py`` outside the tests directory is never loaded. The tests reach the solution
  through ``-o pythonpath=/app``.
- ``-p taskaudit.languages.pytest_plugin``: the trusted recorder (see that module), so an
  early exit or a forged JUnit file is never read as a pass.
"""

from __future__ import annotations

import json
import secrets
import sys
from functools import cache
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree as SafeET

from taskaudit.languages import planted
from taskaudit.languages.base import ParsedRun, PreparedRun
from taskaudit.languages.junit_xml import case_outcome
from taskaudit.model import Outcome, RunStatus, TestResult
from taskaudit.sandbox.base import Mount, ProcessResult

WORKSPACE = "/app"
TESTS = "/tests"
RESULTS = "/results"
HARNESS = "/taskaudit-harness"

# Paths stay on the command line (``-o pythonpath=``), not in this file, because a backend
# that maps sandbox paths onto host paths (the unisolated one) rewrites argv, not file contents.
HARNESS_INI = """[pytest]
python_files = test_*.py *_test.py
junit_family = xunit2
"""

_MESSAGE_CAP = 2000

# pytest exit codes (pytest.ExitCode): 0 ok, 1 tests failed, 2 interrupted, 3 internal
# error, 4 usage error, 5 no tests collected.
_PYTEST_OK = {0, 1, 5}


class PythonLanguage:
    name = "python"
    runners = ("pytest",)
    source_suffixes = (".py",)
    # CPython tolerates an address-space rlimit, so it is a usable memory cap where cgroups are not.
    address_space_ok = True

    def toolchain(self) -> tuple[bool, str]:
        try:
            import pytest
        except ImportError:  # pragma: no cover - pytest is a dependency of taskaudit
            return False, "pytest is not installed in taskaudit's environment: pip install pytest"
        return True, f"CPython {sys.version.split()[0]}, pytest {pytest.__version__}"

    def toolchain_version(self) -> str:
        return self.toolchain()[1]

    @staticmethod
    @cache
    def _toolchain_mounts() -> tuple[Mount, ...]:
        """The interpreter, its standard library and site-packages, and taskaudit itself."""
        import taskaudit

        paths = {
            Path(sys.prefix),
            Path(sys.base_prefix),
            Path(sys.executable).resolve().parent.parent,
            Path(taskaudit.__file__).resolve().parent.parent,  # editable installs live in src/
        }
        # Drop paths nested in another one: a nested bind of the same content is useless.
        roots = sorted(p.resolve() for p in paths if p.exists())
        kept: list[Path] = []
        for p in roots:
            if not any(p.is_relative_to(k) for k in kept):
                kept.append(p)
        return tuple(Mount(host=p, target=str(p)) for p in kept)

    def toolchain_mounts(self) -> list[Mount]:
        return list(self._toolchain_mounts())

    def prepare(self, workspace: Path, tests_dir: Path, results_dir: Path) -> PreparedRun:
        harness = results_dir.parent / "harness"
        harness.mkdir(exist_ok=True)
        (harness / "pytest.ini").write_text(HARNESS_INI)
        secret = secrets.token_hex(16)
        (results_dir / "nonce").write_text(secret)
        argv = [
            sys.executable,
            "-I",
            "-B",
            "-m",
            "pytest",
            "-c",
            f"{HARNESS}/pytest.ini",
            f"--rootdir={TESTS}",
            f"--confcutdir={TESTS}",
            "-o",
            f"pythonpath={WORKSPACE}",
            "-p",
            "taskaudit.languages.pytest_plugin",
            "-p",
            "no:cacheprovider",
            f"--junitxml={RESULTS}/junit.xml",
            "-q",
            "--tb=short",
            "--color=no",
            TESTS,
        ]
        mounts = [
            *self._toolchain_mounts(),
            Mount(host=harness, target=HARNESS),
            Mount(host=workspace, target=WORKSPACE, writable=True),
            Mount(host=tests_dir, target=TESTS),
            Mount(host=results_dir, target=RESULTS, writable=True),
        ]
        return PreparedRun(
            argv=argv,
            cwd=WORKSPACE,
            mounts=mounts,
            env={
                "TASKAUDIT_RESULTS_DIR": RESULTS,
                # Plugins installed beside taskaudit (pytest-randomly, say) must not change how a
                # task's tests run; skipping the entry-point scan also saves start-up time.
                "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
            },
            results_dir=results_dir,
            secret=secret,
        )

    def parse(self, prepared: PreparedRun, process: ProcessResult) -> ParsedRun:
        assert prepared.results_dir is not None
        junit_path = prepared.results_dir / "junit.xml"
        session_path = prepared.results_dir / "session.json"
        session = _read_session(session_path)

        if session is None or session.get("nonce") != prepared.secret:
            why = (
                "no session record"
                if session is None
                else "the session record does not carry this run's nonce (forged)"
            )
            return ParsedRun(
                RunStatus.INCOMPLETE,
                [],
                f"the test process ended before pytest finished ({why}; exit code "
                f"{process.exit_code}); no result of this run is trusted",
            )
        exitstatus = session.get("exitstatus")
        if process.exit_code != exitstatus:
            return ParsedRun(
                RunStatus.INCOMPLETE,
                [],
                f"process exit code {process.exit_code} differs from pytest's own status "
                f"{exitstatus}: something ended the process after the session; not trusted",
            )
        if exitstatus == 4:
            return ParsedRun(RunStatus.INFRA_ERROR, [], "pytest rejected taskaudit's command line")
        if exitstatus == 3:
            return ParsedRun(RunStatus.INCOMPLETE, [], "pytest hit an internal error")

        try:
            tests, collection_errors = parse_junit(junit_path.read_bytes())
        except (OSError, SafeET.ParseError, ValueError) as exc:
            return ParsedRun(RunStatus.INCOMPLETE, [], f"JUnit XML unreadable: {exc}")

        if collection_errors and not tests:
            return ParsedRun(
                RunStatus.BUILD_FAILED,
                [],
                "the tests could not be collected: " + "; ".join(collection_errors)[:_MESSAGE_CAP],
            )
        # Cross-check every JUnit pass against the trusted recorder.
        recorded: dict[str, str] = session.get("outcomes", {})
        for t in tests:
            if t.outcome == Outcome.PASSED and recorded.get(t.test_id) != "passed":
                return ParsedRun(
                    RunStatus.INCOMPLETE,
                    [],
                    f"JUnit XML reports {t.test_id} passed but pytest's own record says "
                    f"{recorded.get(t.test_id, 'nothing')}: results were tampered with",
                )
        if exitstatus == 2:
            detail = "pytest was interrupted"
            if collection_errors:
                detail += ": collection errors: " + "; ".join(collection_errors)
            return ParsedRun(RunStatus.INCOMPLETE, tests, detail[:_MESSAGE_CAP])
        if exitstatus not in _PYTEST_OK:  # pragma: no cover - all codes handled above
            return ParsedRun(RunStatus.INCOMPLETE, tests, f"pytest exit status {exitstatus}")
        return ParsedRun(RunStatus.COMPLETED, tests, "")

    def locate_test(self, test_id: str, test_files: dict[str, bytes]) -> tuple[str, int | None] | None:
        return locate_test(test_id, test_files)

    def assertion_points(self, test_files: dict[str, bytes]) -> list[tuple[str, str, int, int]]:
        return assertion_points(test_files)

    def planted_files(self, workspace: dict[str, bytes]) -> dict[str, str]:
        return planted.python(workspace)


def _read_session(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def parse_junit(xml: bytes) -> tuple[list[TestResult], list[str]]:
    """Per-test results from pytest's JUnit XML, and the collection errors it reports.

    The XML was written by a process that ran untrusted code, so it is parsed with defusedxml
    (no entities, no external references).
    """
    root = SafeET.fromstring(xml)
    tests: list[TestResult] = []
    collection_errors: list[str] = []
    for case in root.iter("testcase"):
        classname = case.get("classname", "")
        name = case.get("name", "")
        error = case.find("error")
        if not classname and error is not None:
            # pytest reports a module that failed to import as a testcase with no classname.
            message = error.get("message", "") or (error.text or "")
            collection_errors.append(f"{name}: {_last_line(message)}")
            continue
        outcome, message, duration = case_outcome(case)
        tests.append(
            TestResult(
                test_id=f"{classname}::{name}",
                outcome=outcome,
                duration_sec=duration,
                message=message,
            )
        )
    return tests, collection_errors


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


# --------------------------------------------------------------------------- static analysis


def is_test_file(path: str) -> bool:
    name = PurePosixPath(path).name
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


def assertion_points(files: dict[str, bytes]) -> list[tuple[str, str, int, int]]:
    """(file, test name, line, assertion points) for every pytest-style test function.

    An assertion point is an ``assert`` statement, a ``pytest.raises``/``warns`` block, a
    ``self.assert*`` call, or a call to a module-level helper counted by the points inside it
    (so HumanEval's ``check(candidate)`` counts its asserts). Static, so a loop counts once.
    Files that do not parse are skipped: the test run reports them.
    """
    import ast

    found: list[tuple[str, str, int, int]] = []
    for path in sorted(files):
        if not is_test_file(path):
            continue
        try:
            tree = ast.parse(files[path].decode("utf-8", errors="replace"), filename=path)
        except SyntaxError:
            continue
        helpers = {
            node.name: node
            for node in tree.body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        memo: dict[str, int] = {}

        def points(fn: ast.AST, visiting: frozenset[str] = frozenset()) -> int:
            total = 0
            for node in ast.walk(fn):
                if isinstance(node, ast.Assert):
                    total += 1
                elif isinstance(node, ast.Call):
                    name = _call_name(node.func)
                    if name in {"raises", "warns", "fail"} or name.startswith("assert"):
                        total += 1
                    elif name in helpers and name not in visiting:
                        if name not in memo:
                            memo[name] = points(helpers[name], visiting | {name})
                        total += memo[name]
            return total

        def visit(body: list[ast.stmt], prefix: str) -> None:
            for node in body:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    if node.name.startswith("test"):
                        found.append((path, prefix + node.name, node.lineno, points(node)))
                elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                    visit(node.body, f"{node.name}::")

        visit(tree.body, "")
    return found


def locate_test(test_id: str, files: dict[str, bytes]) -> tuple[str, int | None] | None:
    """The test file and line of a JUnit-style id (``pkg.test_mod::Class::test_name[param]``)."""
    import re

    classname, _, name = test_id.rpartition("::")
    module_parts = classname.split(".")
    func = re.sub(r"\[.*\]$", "", name)
    # The module is the longest dotted prefix that names a test file; the rest are classes.
    for cut in range(len(module_parts), 0, -1):
        path = "/".join(module_parts[:cut]) + ".py"
        if path in files:
            text = files[path].decode("utf-8", errors="replace")
            match = re.search(rf"^[ \t]*(?:async[ \t]+)?def[ \t]+{re.escape(func)}\b", text, re.M)
            return path, (text.count("\n", 0, match.start()) + 1 if match else None)
    return None


def _call_name(func: object) -> str:
    import ast

    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""
