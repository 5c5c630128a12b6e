"""Preparing one ``cargo test`` run in the sandbox (layout, mounts, command, environment) and
reading it back.

Layout inside the sandbox:

- the workspace (starter + solution, a cargo package) at ``/app``, writable;
- the pristine tests read-only at ``/app/tests`` (so each top-level ``*.rs`` file is an
  integration-test target) and at ``/tests`` (for fixtures);
- taskaudit's sanitised ``Cargo.toml`` read-only over ``/app/Cargo.toml``;
- the host's Rust toolchain (its real sysroot, symlinks resolved) read-only at its host path,
  called by absolute path, never through the rustup proxy;
- vendored dependencies (``cargo vendor``, fetched outside the sandbox, cached per machine)
  read-only at ``/taskaudit-vendor``;
- a fresh ``CARGO_TARGET_DIR`` at ``/taskaudit-target`` and a fresh ``CARGO_HOME`` in ``/tmp``.

Why the invocation looks the way it does:

- cargo's working directory is taskaudit's harness directory, not ``/app``: cargo reads
  ``.cargo/config.toml`` from its working directory's ancestors, so a ``target.*.runner``,
  ``build.rustflags`` or alias planted in ``/app/.cargo`` is never read (it is also deleted).
- the real ``cargo``/``rustc`` binaries are called, so a planted ``rust-toolchain(.toml)``
  (read only by the rustup proxy) selects nothing.
- the manifest is rebuilt from the workspace's (``manifest.py``).
- ``--test <name>`` for each task test target only: tests the solution brings in its own
  ``tests/`` are never run. The task's unit-test modules (``src/**.rs`` in the tests dir) are
  mounted pristine over the crate's ``src/`` and run with ``--lib`` (the solution's own ``src/``
  tests run in that binary but are never reported), and their doc tests with a second
  ``cargo test --doc`` (``unit_modules``; docs/languages/rust.md, "Unit tests and doc tests").

What ``prepare`` learnt (the expected targets, what it ignored, or why it refused to run) is
kept in ``state.json`` in the harness directory, which the sandbox mounts read-only.
"""

from __future__ import annotations

import json
import re
import secrets
import shlex
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from taskaudit.languages.base import ParsedRun, PreparedRun
from taskaudit.languages.rust_support.layout import TestLayout, rel_files, remove_planted
from taskaudit.languages.rust_support.manifest import sanitize_manifest
from taskaudit.languages.rust_support.results import DOCTESTS, UnitSpec, parse_cargo_output
from taskaudit.languages.rust_support.toolchain import NO_TOOLCHAIN, host_toolchain
from taskaudit.languages.rust_support.vendor import DependencyError, vendored_dependencies
from taskaudit.model import RunStatus
from taskaudit.sandbox.base import Mount, ProcessResult

WORKSPACE = "/app"
TESTS = "/tests"
HARNESS = "/taskaudit-rust"
TARGET = "/taskaudit-target"
VENDOR = "/taskaudit-vendor"
CARGO_HOME = "/tmp/cargo-home"


def prepare(workspace: Path, tests_dir: Path, results_dir: Path) -> PreparedRun:
    """Sanitise the materialised workspace and build the sandboxed ``cargo test`` command."""
    harness = results_dir.parent / "rust-harness"
    harness.mkdir(exist_ok=True)
    target = results_dir.parent / "rust-target"
    target.mkdir(exist_ok=True)
    tc = host_toolchain()
    if tc is None:
        return _refused(harness, results_dir, RunStatus.INFRA_ERROR, NO_TOOLCHAIN)

    test_files = rel_files(tests_dir)
    layout = TestLayout.of(test_files)
    if not layout.targets and not layout.units:
        return _refused(
            harness,
            results_dir,
            RunStatus.BUILD_FAILED,
            "no Rust test target among the tests: expected top-level *.rs files (or "
            "<name>/main.rs), or unit-test modules under src/, in the tests directory",
        )

    notes: list[str] = []
    removed = remove_planted(workspace)
    if removed:
        notes.append("removed from the run: " + ", ".join(removed))
    manifest_path = workspace / "Cargo.toml"
    try:
        original = tomllib.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        return _refused(
            harness, results_dir, RunStatus.BUILD_FAILED, f"Cargo.toml is not valid TOML: {exc}"
        )
    manifest, ignored, deps = sanitize_manifest(original, layout.paths)
    if ignored:
        notes.append("Cargo.toml settings ignored: " + ", ".join(ignored))
    (harness / "Cargo.toml").write_text(manifest)
    units = unit_modules(layout, tests_dir, workspace, harness, manifest)

    mounts = [
        *tc.mounts,
        Mount(host=harness, target=HARNESS),
        Mount(host=workspace, target=WORKSPACE, writable=True),
        Mount(host=harness / "Cargo.toml", target=f"{WORKSPACE}/Cargo.toml"),
        Mount(host=tests_dir / layout.mount_from if layout.mount_from else tests_dir,
              target=f"{WORKSPACE}/tests"),
        Mount(host=tests_dir, target=TESTS),
        Mount(host=target, target=TARGET, writable=True, copy_back=False),  # nobody reads it after
        *units.mounts,
    ]
    config: list[str] = ["--config", "build.rustflags=[]", "--config", "net.offline=true"]
    lock = workspace / "Cargo.lock"
    if deps:
        try:
            vendor_dir, lock_text = vendored_dependencies(tc, manifest, _read_or_none(lock))
        except DependencyError as exc:
            return _refused(harness, results_dir, RunStatus.INFRA_ERROR, str(exc), notes)
        lock.write_text(lock_text)
        mounts.append(Mount(host=vendor_dir, target=VENDOR))
        config += [
            "--config",
            'source.crates-io.replace-with="taskaudit-vendor"',
            "--config",
            f'source.taskaudit-vendor.directory="{VENDOR}"',
        ]
    elif lock.exists():
        lock.unlink()  # without dependencies cargo writes a fresh one

    cargo_argv = [
        str(tc.cargo),
        "test",
        *config,
        "--offline",
        "--manifest-path",
        f"{WORKSPACE}/Cargo.toml",
        "--target-dir",
        TARGET,
        "--no-fail-fast",
        "--color",
        "never",
    ]
    common = list(cargo_argv)
    if units.spec:
        cargo_argv.append("--lib")
    for name in layout.targets:
        cargo_argv += ["--test", name]
    cargo_argv += ["--", "--color", "never"]
    # stderr (cargo's "Running <target>" lines) merged into stdout, in order.
    script = '"$0" "$@" 2>&1'
    if units.spec and units.spec.doc_files:
        # `--doc` cannot be combined with other targets: a second cargo run, after the first.
        # The exit status is the first run's when it failed, else the doc run's.
        doc = shlex.join([*common, "--doc", "--", "--color", "never"])
        script = f'{script}; s=$?; {doc} 2>&1; d=$?; [ "$s" -ne 0 ] && exit "$s"; exit "$d"'
    else:
        script = "exec " + script
    argv = ["/bin/sh", "-c", script, *cargo_argv]
    env = {
        "PATH": f"{tc.bin_dir}:/usr/local/bin:/usr/bin:/bin",
        "CARGO_HOME": CARGO_HOME,
        "RUSTC": str(tc.rustc),
        "RUSTDOC": str(tc.rustdoc),
        "CARGO_TARGET_DIR": TARGET,
        "CARGO_INCREMENTAL": "0",
        "CARGO_PROFILE_DEV_DEBUG": "0",
        "CARGO_PROFILE_TEST_DEBUG": "0",
        "CARGO_TERM_COLOR": "never",
        "CARGO_TERM_PROGRESS_WHEN": "never",
        "RUST_BACKTRACE": "0",
    }
    targets = sorted(layout.paths.values())
    if units.spec:
        targets.append(units.spec.lib_source)
        if units.spec.doc_files:
            targets.append(DOCTESTS)
    _write_state(
        harness,
        {"targets": targets, "notes": notes, "units": asdict(units.spec) if units.spec else None},
    )
    return PreparedRun(
        argv=argv, cwd=HARNESS, mounts=mounts, env=env, results_dir=results_dir
    )


def parse(prepared: PreparedRun, process: ProcessResult) -> ParsedRun:
    """The run's per-test results, or why there are none (see ``results.py``)."""
    assert prepared.results_dir is not None
    state = _read_state(prepared.results_dir.parent / "rust-harness")
    notes = "; ".join(state.get("notes", []))
    if "refused" in state:
        status, why = state["refused"]
        return ParsedRun(RunStatus(status), [], _join(why, notes))
    output = process.stdout.decode("utf-8", errors="replace")
    spec = UnitSpec(**state["units"]) if state.get("units") else None
    parsed = parse_cargo_output(output, process.exit_code, state.get("targets", []), spec)
    return ParsedRun(parsed.status, parsed.tests, _join(parsed.detail, notes))


@dataclass
class _Units:
    spec: UnitSpec | None = None
    mounts: list[Mount] = field(default_factory=list)


# A doc comment line opening a code block: its doc tests are run with ``cargo test --doc``.
_DOC_BLOCK = re.compile(r"^\s*(?:///|//!).*```", re.M)


def unit_modules(
    layout: TestLayout, tests_dir: Path, workspace: Path, harness: Path, manifest: str
) -> _Units:
    """Mounts and expectations for the task's unit-test modules (``src/**.rs`` in the tests).

    Each is mounted read-only over the crate's ``src/<same path>``, with one extra test of a
    fresh random name appended (the *sentinel*): its result proves that the module libtest ran
    is the task's file, not an inline ``mod tests { ... }`` of the solution's with the same
    name. The crate must declare the module (``#[cfg(test)] mod tests;``); see
    docs/languages/rust.md, "Unit tests and doc tests".
    """
    from taskaudit.languages.rust_support.analysis import assertion_points

    if not layout.units:
        return _Units()
    lib = tomllib.loads(manifest).get("lib", {})
    lib_source = lib.get("path", "src/lib.rs")
    out = _Units(UnitSpec(lib_source=lib_source))
    (harness / "units").mkdir(exist_ok=True)
    for i, (rel, module) in enumerate(sorted(layout.units.items())):
        content = (tests_dir / rel).read_bytes()
        sentinel = f"taskaudit_unit_module_{secrets.token_hex(8)}"
        out.spec.modules[module] = rel
        out.spec.sentinels[module] = f"{module}::{sentinel}"
        # Static names as libtest prints them (``tests::name``; see analysis.assertion_points).
        out.spec.expected += [name for _, name, _, _ in assertion_points({rel: content})]
        if _DOC_BLOCK.search(content.decode("utf-8", errors="replace")):
            out.spec.doc_files.append(rel)
        mounted = harness / "units" / f"{i}.rs"
        mounted.write_bytes(content + f"\n#[test]\nfn {sentinel}() {{}}\n".encode())
        # The mount point must exist in the workspace; its content there is never read.
        (workspace / rel).parent.mkdir(parents=True, exist_ok=True)
        (workspace / rel).write_bytes(b"")
        out.mounts.append(Mount(host=mounted, target=f"{WORKSPACE}/{rel}"))
    return out


def _write_state(harness: Path, state: dict) -> None:
    # Outside every mount the solution can write to (the harness dir is mounted read-only).
    (harness / "state.json").write_text(json.dumps(state))


def _read_state(harness: Path) -> dict:
    try:
        data = json.loads((harness / "state.json").read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _refused(
    harness: Path, results_dir: Path, status: RunStatus, why: str, notes: list[str] | None = None
) -> PreparedRun:
    """A run taskaudit will not start: parse() reports ``status`` with ``why``."""
    _write_state(harness, {"refused": [status.value, why], "notes": notes or []})
    return PreparedRun(argv=["/bin/true"], cwd="/", mounts=[], results_dir=results_dir)


def _read_or_none(path: Path) -> str | None:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError):
        return None


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
