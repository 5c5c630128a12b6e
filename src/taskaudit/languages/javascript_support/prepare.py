"""Preparing a run: the sandbox's mounts, the environment and the driver's command line.

``prepare_run`` decides everything a run sees: the workspace at ``/app`` (writable), the
pristine tests at ``/tests`` and taskaudit's driver, compiled tests and the task's npm
dependencies, all read-only; a planted ``node_modules`` is hidden. Tests written for jest or
vitest run with that runner instead (``runners.py``). When taskaudit cannot run
the task (no Node, jest/vitest not declared or no lock file, npm failed) or TypeScript does not compile, it
returns a run that starts nothing and says why, for ``results.parse_run`` to report.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from taskaudit.languages.base import PreparedRun
from taskaudit.languages.javascript_support.layout import (
    COMPILED_TESTS,
    HARNESS_LIB,
    RESULTS,
    SUPPORT_DIR,
    TESTS,
    TS_SUFFIXES,
    WORKSPACE,
    compiled_name,
    test_file_paths,
)
from taskaudit.languages.javascript_support.runners import choose_runner, declared_runners, runner_argv, written_for
from taskaudit.languages.javascript_support.toolchain import dependencies_dir, find_node, node_mounts
from taskaudit.languages.javascript_support.typescript import compile_typescript, copy_tree
from taskaudit.sandbox.base import Mount

_PACKAGE_JSON_KEYS = ("jest", "scripts", "type", "mocha", "ava", "imports", "exports", "vitest")


@dataclass
class JsPreparedRun(PreparedRun):
    typescript: bool = False
    runner: str = ""  # "jest" or "vitest"; "" for node:test (taskaudit's driver)
    # Set when taskaudit cannot provide what the run needs: the run is an infrastructure error.
    infra_error: str = ""
    build_error: str = ""  # TypeScript did not compile: the tests were not run
    notes: list[str] = field(default_factory=list)
    test_files: list[str] = field(default_factory=list)
    # jest on compiled TypeScript: compiled test path (under COMPILED_TESTS) -> the .ts test file
    compiled_ids: dict[str, str] = field(default_factory=dict)


def _infra(workspace: Path, results_dir: Path, why: str) -> JsPreparedRun:
    return JsPreparedRun(
        argv=["/bin/true"],
        cwd=WORKSPACE,
        mounts=[Mount(host=workspace, target=WORKSPACE, writable=True)],
        results_dir=results_dir,
        infra_error=why,
    )


def prepare_run(typescript_language: bool, workspace: Path, tests_dir: Path, results_dir: Path) -> PreparedRun:
    """The run of ``tests_dir``'s test files on ``workspace`` (TypeScript compiled first)."""
    node = find_node()
    if isinstance(node, str):
        return _infra(workspace, results_dir, node)
    tests_rel = [p.relative_to(tests_dir).as_posix() for p in tests_dir.rglob("*") if p.is_file()]
    test_files = test_file_paths(tests_rel, typescript_language)

    written = written_for(tests_dir, test_files)
    if written:
        return _prepare_runner(node[0], written, typescript_language, workspace, tests_dir, results_dir, test_files)
    mounts = [*node_mounts()]
    config: dict = {"files": []}
    typescript = typescript_language and any(f.endswith(TS_SUFFIXES) for f in test_files)
    if typescript:
        out, problem, errors = compile_typescript(workspace, tests_dir, test_files)
        if out is None:
            return _infra(workspace, results_dir, problem)
        if errors is not None:
            prepared = _infra(workspace, results_dir, "")
            prepared.build_error = errors
            return prepared
        # The compiled solution joins the run's own workspace copy; the compiled tests are
        # mounted read-only from the cache (a solution must not rewrite tests not yet loaded).
        copy_tree(out / "app", workspace)
        mounts.append(Mount(host=out / "tests", target=COMPILED_TESTS))
        config["compiled"] = True
    for rel in test_files:
        run_path = f"{TESTS}/{rel}"
        if typescript and rel.endswith(TS_SUFFIXES):
            run_path = f"{COMPILED_TESTS}/{compiled_name(rel)}"
        config["files"].append({"id": rel, "run": run_path})

    notes: list[str] = []
    # The task's npm dependencies (from the workspace package.json, installed outside the
    # sandbox without running any package script), read-only; a planted node_modules is hidden.
    package_json = workspace / "package.json"
    deps_mount: Path | None = None
    if package_json.is_file():
        data = package_json.read_bytes()
        notes.extend(_package_json_notes(data))
        if _has_dependencies(data):
            lock_path = workspace / "package-lock.json"
            lock = lock_path.read_bytes() if lock_path.is_file() else None
            deps_dir, problem = dependencies_dir(data, lock)
            if deps_dir is None:
                return _infra(workspace, results_dir, problem)
            deps_mount = deps_dir / "node_modules"
            if not deps_mount.is_dir():
                deps_mount = None
    secret = secrets.token_hex(16)
    (results_dir / "nonce").write_text(secret)

    mounts += [
        Mount(host=SUPPORT_DIR, target=HARNESS_LIB),
        Mount(host=workspace, target=WORKSPACE, writable=True),
        Mount(host=tests_dir, target=TESTS),
        Mount(host=results_dir, target=RESULTS, writable=True),
    ]
    if deps_mount is not None:
        mounts.append(Mount(host=deps_mount, target=f"{WORKSPACE}/node_modules"))
        # /tests and the compiled tests are read-only mounts that cannot take a mount point
        # (bwrap: "Can't mkdir /tests/node_modules"): the tests reach the dependencies by
        # walking up to /node_modules.
        mounts.append(Mount(host=deps_mount, target="/node_modules"))
    elif (workspace / "node_modules").exists():
        empty = results_dir.parent / "empty"
        empty.mkdir(exist_ok=True)
        mounts.append(Mount(host=empty, target=f"{WORKSPACE}/node_modules"))
    # Paths stay on the command line, not in a file: a backend that maps sandbox paths onto
    # host paths (the unisolated one) rewrites argv, not file contents.
    argv = [node[0], f"--import={HARNESS_LIB}/child.mjs", f"{HARNESS_LIB}/driver.mjs", RESULTS]
    if config.get("compiled"):
        argv.append("--compiled")
    for entry in config["files"]:
        argv += [entry["id"], entry["run"]]
    return JsPreparedRun(
        argv=argv,
        cwd=WORKSPACE,
        mounts=mounts,
        env={"TASKAUDIT_RESULTS_DIR": RESULTS, "NO_COLOR": "1"},
        results_dir=results_dir,
        secret=secret,
        typescript=typescript,
        notes=notes,
        test_files=test_files,
    )


def _prepare_runner(
    node: str,
    written: str,
    typescript_language: bool,
    workspace: Path,
    tests_dir: Path,
    results_dir: Path,
    test_files: list[str],
) -> JsPreparedRun:
    """A jest or vitest run (``runners.py``): the task's pinned dependencies, taskaudit's config."""
    package_json = workspace / "package.json"
    runner, why = choose_runner(written, declared_runners(package_json))
    if runner is None:
        return _infra(workspace, results_dir, why)
    lock_path = workspace / "package-lock.json"
    if not lock_path.is_file():
        return _infra(
            workspace, results_dir,
            f"the tests are written for {runner}, but the task has no package-lock.json: taskaudit "
            "installs a jest/vitest task's dependencies only from a lock file (npm ci --ignore-scripts)",
        )
    data = package_json.read_bytes()
    deps_dir, problem = dependencies_dir(data, lock_path.read_bytes())
    if deps_dir is None:
        return _infra(workspace, results_dir, problem)
    deps_mount = deps_dir / "node_modules"
    entry = deps_mount / ("jest/bin/jest.js" if runner == "jest" else "vitest/vitest.mjs")
    if not entry.is_file():
        return _infra(workspace, results_dir, f"{runner} is not installed by the task's package-lock.json")
    compiled: dict[str, str] = {}
    compiled_mounts: list[Mount] = []
    if runner == "jest" and any(f.endswith((*TS_SUFFIXES, ".tsx")) for f in test_files):
        # jest has no TypeScript transform without babel/ts-jest configuration (which taskaudit
        # never reads): the tests and what they import are compiled once with tsc, as for
        # node:test, and jest runs the compiled tests. Types of the task's dependencies
        # (@jest/globals) come from its own node_modules.
        out, problem, errors = compile_typescript(workspace, tests_dir, test_files, node_modules=deps_mount)
        if out is None:
            return _infra(workspace, results_dir, problem)
        if errors is not None:
            prepared = _infra(workspace, results_dir, "")
            prepared.build_error = errors
            return prepared
        copy_tree(out / "app", workspace)
        compiled_mounts.append(Mount(host=out / "tests", target=COMPILED_TESTS))
        compiled = {compiled_name(rel): rel for rel in test_files}
    secret = secrets.token_hex(16)
    (results_dir / "nonce").write_text(secret)
    mounts = [
        *node_mounts(),
        Mount(host=SUPPORT_DIR, target=HARNESS_LIB),
        Mount(host=workspace, target=WORKSPACE, writable=True),
        Mount(host=tests_dir, target=TESTS),
        Mount(host=results_dir, target=RESULTS, writable=True),
        Mount(host=deps_mount, target=f"{WORKSPACE}/node_modules"),
        # The read-only /tests cannot take a mount point: the tests find the runner's modules
        # ("vitest", "@jest/globals") by walking up to /node_modules.
        Mount(host=deps_mount, target="/node_modules"),
        *compiled_mounts,
    ]
    if compiled:
        argv, env = runner_argv(node, runner, sorted(compiled), root=COMPILED_TESTS)
    else:
        argv, env = runner_argv(node, runner, test_files)
    notes = _package_json_notes(data)
    return JsPreparedRun(
        argv=argv,
        cwd=WORKSPACE,
        mounts=mounts,
        env=env,
        results_dir=results_dir,
        secret=secret,
        typescript=typescript_language,
        runner=runner,
        notes=notes,
        test_files=test_files,
        compiled_ids=compiled,
    )


def _has_dependencies(package_json: bytes) -> bool:
    try:
        data = json.loads(package_json)
    except ValueError:
        return False
    return isinstance(data, dict) and any(
        isinstance(data.get(k), dict) and data[k] for k in ("dependencies", "devDependencies")
    )


def _package_json_notes(package_json: bytes) -> list[str]:
    try:
        data = json.loads(package_json)
    except ValueError:
        return ["package.json is not JSON (not read)"]
    if not isinstance(data, dict):
        return []
    keys = [k for k in _PACKAGE_JSON_KEYS if k in data and k != "type"]
    notes = []
    if keys:
        notes.append(f"package.json fields {', '.join(keys)} are not read by taskaudit's runner")
    return notes
