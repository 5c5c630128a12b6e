"""jest and vitest: choosing the runner, the sandbox command, and trusting the runner's JSON.

A task runs with jest or vitest when its tests are written for one (an import of ``vitest`` or
``@jest/globals``, or jest/vitest globals) and its ``package.json`` declares that runner in
``devDependencies`` (or ``dependencies``). Its dependencies come from the cached
``npm ci --ignore-scripts`` layer (a ``package-lock.json`` is required), read-only at
``/app/node_modules``. The runner is started by path from there, on the test files named
explicitly, with taskaudit's own configuration (``--config``): a task's or a solution's
``jest.config.*``, ``vitest.config.*`` or ``vite.config.*`` is never read.

Trust (``parse_runner_run``): the runner's JSON report gives the per-test results, but a run is
``completed`` only when taskaudit's reporter (``jest-reporter.cjs``, ``vitest-reporter.mjs``: in
the runner's main process, loaded before any test file; it reads and deletes the nonce) wrote
``session.json`` with this run's nonce, the exit code equals the one it recorded, every pass of
the JSON report is also a pass in its record, and every test file was reported.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from taskaudit.languages.base import ParsedRun, PreparedRun
from taskaudit.languages.javascript_support.layout import COMPILED_TESTS, HARNESS_LIB, RESULTS, TESTS, WORKSPACE
from taskaudit.languages.javascript_support.toolchain import read_json
from taskaudit.model import Outcome, RunStatus, TestResult
from taskaudit.sandbox.base import ProcessResult

_MESSAGE_CAP = 2000
_VITEST_IMPORT = re.compile(rb"""(from\s+|require\(\s*|import\(\s*)["']vitest["']""")
_JEST_IMPORT = re.compile(rb"""(from\s+|require\(\s*|import\(\s*)["']@jest/globals["']|\bjest\.(fn|mock|spyOn)\(""")
_NODE_TEST = re.compile(rb"""(from\s+|require\(\s*|import\(\s*)["'](node:)?test["']""")
_GLOBAL_STYLE = re.compile(rb"""\b(expect|it)\s*\(""")
RUNNERS = ("jest", "vitest")


def written_for(tests_dir: Path, test_files: list[str]) -> str | None:
    """'jest', 'vitest' or 'jest or vitest' (globals only) when the tests are written for one."""
    found = None
    for rel in test_files:
        source = (tests_dir / rel).read_bytes()
        if _NODE_TEST.search(source):
            continue
        if _VITEST_IMPORT.search(source):
            return "vitest"
        if _JEST_IMPORT.search(source):
            found = "jest"
        elif _GLOBAL_STYLE.search(source) and found is None:
            found = "jest or vitest"
    return found


def declared_runners(package_json: Path) -> list[str]:
    """The runners among ``package.json``'s devDependencies/dependencies."""
    data = read_json(package_json) if package_json.is_file() else None
    if data is None:
        return []
    names: set[str] = set()
    for key in ("devDependencies", "dependencies"):
        if isinstance(data.get(key), dict):
            names |= set(data[key])
    return [r for r in RUNNERS if r in names]


def choose_runner(written: str, declared: list[str]) -> tuple[str | None, str]:
    """(runner, '') or (None, why not)."""
    wanted = [written] if written in RUNNERS else list(RUNNERS)
    for runner in wanted:
        if runner in declared:
            return runner, ""
    return None, (
        f"the tests are written for {written} but the task's package.json does not declare "
        f"{' or '.join(wanted)} in devDependencies: taskaudit runs jest and vitest from the task's own "
        "pinned dependencies (package.json + package-lock.json)"
    )


def runner_argv(
    node: str, runner: str, test_files: list[str], root: str = TESTS
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of a jest or vitest run (paths are sandbox paths).
    ``root``: where the test files are (the compiled tests, for jest on TypeScript)."""
    files = [f"{root}/{rel}" for rel in test_files]
    modules = f"{WORKSPACE}/node_modules"
    if runner == "jest":
        config = {
            "rootDir": root,
            "roots": [root],
            "testMatch": ["**/*.?([mc])[jt]s?(x)"],
            "testPathIgnorePatterns": ["/node_modules/"],
            "transform": {},
            "testEnvironment": "node",
            "watchman": False,
            "cache": False,
            "cacheDirectory": f"{RESULTS}/.jest-cache",
            "setupFiles": [],
            "setupFilesAfterEnv": [],
            "globalSetup": None,
            "globalTeardown": None,
            "reporters": ["default", [f"{HARNESS_LIB}/jest-reporter.cjs", {"results": RESULTS, "root": root}]],
        }
        argv = [
            node, f"{modules}/jest/bin/jest.js", "--ci", "--runInBand", "--no-watchman",
            f"--config={json.dumps(config)}", "--json", f"--outputFile={RESULTS}/runner.json",
            "--runTestsByPath", *files,
        ]
        return argv, {"TASKAUDIT_RESULTS_DIR": RESULTS, "NO_COLOR": "1", "CI": "1"}
    argv = [
        node, f"{modules}/vitest/vitest.mjs", "run", f"--config={HARNESS_LIB}/vitest.config.mjs",
        "--configLoader=native", *files,
    ]
    env = {"TASKAUDIT_RESULTS_DIR": RESULTS, "TASKAUDIT_TESTS_ROOT": TESTS, "NO_COLOR": "1", "CI": "1"}
    return argv, env


def parse_runner_run(prepared: PreparedRun, process: ProcessResult) -> ParsedRun:
    runner = getattr(prepared, "runner", "")
    assert prepared.results_dir is not None
    session = read_json(prepared.results_dir / "session.json")
    if session is None or session.get("nonce") != prepared.secret or session.get("runner") != runner:
        why = "no session record" if session is None else "the session record does not carry this run's nonce (forged)"
        return ParsedRun(
            RunStatus.INCOMPLETE,
            [],
            f"{runner} ended before taskaudit's reporter recorded the run ({why}; exit code "
            f"{process.exit_code}); no result of this run is trusted",
        )
    code = session.get("exit_code")
    if process.exit_code != code or code not in (0, 1):
        return ParsedRun(
            RunStatus.INCOMPLETE,
            [],
            f"process exit code {process.exit_code} differs from the status {code} taskaudit's "
            f"reporter recorded: something ended {runner} after the run; not trusted",
        )
    name = "runner.json" if runner == "jest" else "vitest.json"
    report = read_json(prepared.results_dir / name)
    if report is None:
        return ParsedRun(RunStatus.INCOMPLETE, [], f"{runner}'s JSON report is missing or unreadable")
    compiled: dict[str, str] = getattr(prepared, "compiled_ids", {}) or {}
    root = f"{COMPILED_TESTS}/" if compiled else f"{TESTS}/"
    expected = sorted(compiled) if compiled else list(getattr(prepared, "test_files", []))
    tests: list[TestResult] = []
    seen: Counter[str] = Counter()
    json_passes: Counter[str] = Counter()
    reported: dict[str, str] = {}
    for suite in report.get("testResults") or []:
        if not isinstance(suite, dict):
            continue
        path = str(suite.get("name", ""))
        rel = _relative(path, root, expected)
        if rel is None:
            continue
        reported[rel] = str(suite.get("message") or "")
        for a in suite.get("assertionResults") or []:
            base = "::".join([rel, *[str(s) for s in a.get("ancestorTitles") or []], str(a.get("title", "?"))])
            seen[base] += 1
            test_id = base if seen[base] == 1 else f"{base} ({seen[base]})"
            status = a.get("status")
            outcome = {"passed": Outcome.PASSED, "failed": Outcome.FAILED, "pending": Outcome.SKIPPED,
                       "skipped": Outcome.SKIPPED, "todo": Outcome.SKIPPED, "disabled": Outcome.SKIPPED}.get(
                status, Outcome.ERROR)
            if outcome == Outcome.PASSED:
                json_passes[base] += 1
            message = "\n".join(str(m) for m in a.get("failureMessages") or []) or None
            duration = a.get("duration")
            tests.append(TestResult(
                test_id=test_id,
                outcome=outcome,
                duration_sec=(duration / 1000) if isinstance(duration, (int, float)) else None,
                message=message and _strip_ansi(message)[:_MESSAGE_CAP],
            ))
    recorded = Counter(
        "::".join([str(t.get("file")), *[str(s) for s in t.get("suites") or []], str(t.get("name"))])
        for t in session.get("tests") or [] if t.get("status") == "passed"
    )
    for key, count in json_passes.items():
        if recorded.get(key, 0) < count:
            return ParsedRun(
                RunStatus.INCOMPLETE,
                [],
                f"{runner}'s JSON report says {key} passed but taskaudit's reporter recorded "
                f"{recorded.get(key, 0)} such pass(es): results were tampered with",
            )
    have = {t.test_id.split("::", 1)[0] for t in tests}
    load_errors = [f"{rel}: {_first_error(msg)}" for rel, msg in sorted(reported.items()) if msg and rel not in have]
    missing = [rel for rel in expected if rel not in reported]
    if load_errors and not tests:
        return ParsedRun(RunStatus.BUILD_FAILED, [], "the tests could not be loaded: " + "; ".join(load_errors)[:_MESSAGE_CAP])
    problems = load_errors + [f"{rel}: not reported by {runner}" for rel in missing]
    if compiled:
        # Results are named by the TypeScript test files, not their compiled form.
        for t in tests:
            rel, sep, rest = t.test_id.partition("::")
            t.test_id = f"{compiled.get(rel, rel)}{sep}{rest}"
        problems = [f"{compiled.get(p.split(':', 1)[0], p.split(':', 1)[0])}:{p.split(':', 1)[1]}" for p in problems]
    if problems:
        return ParsedRun(RunStatus.INCOMPLETE, tests, "; ".join(problems)[:_MESSAGE_CAP])
    return ParsedRun(RunStatus.COMPLETED, tests, "")


def _relative(path: str, root: str, expected: list[str]) -> str | None:
    if path.startswith(root):
        return path[len(root):]
    # The unisolated backend shows /tests at a host path: match by the known file names.
    matches = [rel for rel in expected if path.endswith("/" + rel)]
    return max(matches, key=len) if matches else None


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def _first_error(message: str) -> str:
    text = _strip_ansi(message)
    for line in text.splitlines():
        if re.search(r"(Error|Exception)\b.*:", line.strip()):
            return line.strip()[:400]
    return text.strip()[:400] or "the test file failed to run"
