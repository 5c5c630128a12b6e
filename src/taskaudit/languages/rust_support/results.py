"""Per-test results from ``cargo test`` output, trusted only when complete and consistent.

The solution shares libtest's process, so an exit code alone proves nothing: see
:func:`parse_cargo_output` for what a run must show to be COMPLETED.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from taskaudit.model import Outcome, RunStatus, TestResult

MESSAGE_CAP = 2000

_RUNNING = re.compile(r"^\s*Running (?:unittests )?(\S+) \(")
_DOCTESTS = re.compile(r"^\s*Doc-tests (\S+)")
_HEADER = re.compile(r"^running (\d+) tests?$")
_RESULT = re.compile(r"^test (.+?)(?: - should panic)? \.\.\. (ok|FAILED|ignored(?:, .*)?)$")
_SUMMARY = re.compile(
    r"^test result: (ok|FAILED)\. (\d+) passed; (\d+) failed; (\d+) ignored; (\d+) measured; "
    r"(\d+) filtered out"
)
_FAILURE_HEAD = re.compile(r"^---- (.+?) stdout ----$")
# cargo's own "error: test failed, ..." / "error: 1 target failed:" are not compile errors.
_COMPILE_ERROR = re.compile(r"^error(?:\[E\d+\])?: (?!test failed|\d+ targets? failed)", re.M)
# Errors that are taskaudit's or the machine's, not the task's.
_INFRA_PATTERNS = (
    "linker `cc` not found",
    "could not execute process",
    "failed to run `rustc`",
    "no matching package named",
    "failed to get `",
    "failed to load source for dependency",
    "--offline",
    "No space left on device",
    "Read-only file system",
)


@dataclass
class _Section:
    source: str  # tests/rle_test.rs
    declared: int | None = None
    results: list[tuple[str, str]] = field(default_factory=list)
    summary: tuple[str, int, int, int] | None = None  # (ok|FAILED, passed, failed, ignored)
    messages: dict[str, str] = field(default_factory=dict)


DOCTESTS = "doctests"  # the section name of ``cargo test --doc``'s output


@dataclass
class UnitSpec:
    """What a run with the task's unit-test modules must show (see ``run.unit_modules``)."""

    lib_source: str  # the library root as cargo names it: "Running unittests src/lib.rs (...)"
    modules: dict[str, str] = field(default_factory=dict)  # module path -> tests-dir file
    sentinels: dict[str, str] = field(default_factory=dict)  # module path -> sentinel test
    expected: list[str] = field(default_factory=list)  # libtest names read from the files
    doc_files: list[str] = field(default_factory=list)  # module files holding doc tests

    def counts(self, section: str, name: str) -> bool:
        """Whether a result line of ``section`` is one of the task's tests (else it is the
        solution's own, e.g. a ``#[cfg(test)] mod`` of its ``src/lib.rs``: not reported)."""
        if section == DOCTESTS:
            return any(name.startswith(f"{f} - ") for f in self.doc_files)
        if name in self.sentinels.values():
            return False
        return any(name.startswith(f"{m}::") for m in self.modules)


@dataclass
class CargoRun:
    status: RunStatus
    tests: list[TestResult]
    detail: str = ""


def parse_cargo_output(
    output: str, exit_code: int | None, targets: list[str], units: UnitSpec | None = None
) -> CargoRun:
    # ``targets``: the crate paths of the expected test targets (``tests/rle_test.rs``).
    """Per-test results from ``cargo test`` output (stderr merged into stdout), trusted only
    when complete and consistent:

    - each expected test target (``tests/<name>.rs``) has exactly one section, opened by
      cargo's ``Running`` line, with libtest's ``running N tests`` header, N distinct result
      lines, and a ``test result:`` summary whose counts equal those lines;
    - the exit code is 0 when every summary says ok and 101 (cargo's "test failed") when one
      says FAILED.

    A target that stops before its summary (``std::process::exit`` in a test or in a static
    initialiser, an abort, a stack overflow) makes the run INCOMPLETE: no result of it is
    trusted. A build that fails before any target runs is BUILD_FAILED, or INFRA_ERROR when
    the error is the toolchain's or a dependency's that taskaudit could not provide.

    With unit-test modules (``units``), the library's section (``src/lib.rs``) and the doc
    tests' section are expected targets too, and only their results that are the task's count
    (:meth:`UnitSpec.counts`). A module whose sentinel test did not pass was not the task's
    file (the crate does not declare it, or declares an inline module of that name): each of
    its tests is FAILED with that reason, as is any expected test without a result.
    """
    sections: list[_Section] = []
    current: _Section | None = None
    failure_name: str | None = None
    failure_lines: list[str] = []

    def close_failure() -> None:
        nonlocal failure_name, failure_lines
        if current is not None and failure_name is not None:
            current.messages[failure_name] = "\n".join(failure_lines).strip()[:MESSAGE_CAP]
        failure_name, failure_lines = None, []

    for line in output.splitlines():
        m = _RUNNING.match(line)
        if m or _DOCTESTS.match(line):
            close_failure()
            current = _Section(m.group(1) if m else DOCTESTS)
            sections.append(current)
            continue
        if current is None:
            continue
        if current.declared is None:
            h = _HEADER.match(line)
            if h:
                current.declared = int(h.group(1))
            continue
        r = _RESULT.match(line)
        if r and current.summary is None and failure_name is None:
            current.results.append((r.group(1), r.group(2).split(",")[0]))
            continue
        s = _SUMMARY.match(line)
        if s and current.summary is None:
            close_failure()
            current.summary = (s.group(1), int(s.group(2)), int(s.group(3)), int(s.group(4)))
            continue
        f = _FAILURE_HEAD.match(line)
        if f and current.summary is None:
            close_failure()
            failure_name = f.group(1)
            continue
        if failure_name is not None:
            if line == "failures:":
                close_failure()
            else:
                failure_lines.append(line)
    close_failure()

    if not sections or (
        # a later cargo run (the library's tests, the doc tests) did not compile
        _COMPILE_ERROR.search(output) and {sec.source for sec in sections} < set(targets)
    ):
        return _build_failure(output, exit_code)

    expected = set(targets)
    by_source: dict[str, _Section] = {}
    problems: list[str] = []
    for sec in sections:
        source = sec.source
        if source not in expected:
            problems.append(f"output for a target taskaudit did not ask for: {sec.source}")
            continue
        if source in by_source:
            problems.append(f"{source} reported twice")
            continue
        by_source[source] = sec
    tests: list[TestResult] = []
    all_ok = True
    seen_names: set[tuple[str, str]] = set()  # (section, name) of the results that passed
    for source in sorted(expected):
        sec = by_source.get(source)
        if sec is None:
            problems.append(f"{source}: the test binary never ran")
            continue
        if sec.declared is None:
            problems.append(
                f"{source}: the test binary ended before libtest started (an exit in a static "
                "initialiser?)"
            )
            continue
        if sec.summary is None:
            problems.append(
                f"{source}: the test binary ended before libtest's summary ({len(sec.results)} of "
                f"{sec.declared} results printed; a test called process::exit or aborted?)"
            )
            continue
        verdict, passed, failed, ignored = sec.summary
        names = [n for n, _ in sec.results]
        counts = {o: sum(1 for _, r in sec.results if r == o) for o in ("ok", "FAILED", "ignored")}
        if (
            len(names) != sec.declared
            or len(set(names)) != len(names)
            or (counts["ok"], counts["FAILED"], counts["ignored"]) != (passed, failed, ignored)
            or (verdict == "ok") != (failed == 0)
        ):
            problems.append(
                f"{source}: libtest's output is inconsistent (header {sec.declared}, "
                f"{len(names)} result lines, summary {passed} passed / {failed} failed / "
                f"{ignored} ignored): not trusted"
            )
            continue
        all_ok &= verdict == "ok"
        seen_names.update((source, n) for n, r in sec.results if r == "ok")
        for name, result in sec.results:
            if units and source in (units.lib_source, DOCTESTS) and not units.counts(source, name):
                continue
            outcome = {"ok": Outcome.PASSED, "FAILED": Outcome.FAILED}.get(result, Outcome.SKIPPED)
            tests.append(
                TestResult(
                    test_id=f"{source}::{name}",
                    outcome=outcome,
                    message=sec.messages.get(name) if outcome == Outcome.FAILED else None,
                )
            )
    if problems:
        return CargoRun(
            RunStatus.INCOMPLETE,
            [],
            "; ".join(problems)[:MESSAGE_CAP] + f" (exit code {exit_code}); no result of this "
            "run is trusted",
        )
    if units:
        tests += _unit_gaps(units, tests, seen_names)
    want = 0 if all_ok else 101
    if exit_code != want:
        return CargoRun(
            RunStatus.INCOMPLETE,
            [],
            f"cargo exited with {exit_code} but libtest's summaries call for {want}: something "
            "else failed or ended the process; not trusted",
        )
    return CargoRun(RunStatus.COMPLETED, tests, "")


def _unit_gaps(
    units: UnitSpec, tests: list[TestResult], passed: set[tuple[str, str]]
) -> list[TestResult]:
    """FAILED results for the task's unit tests that did not run as the task's (a missing
    result is a failure, never a pass). Drops, from ``tests``, results of a module whose
    sentinel did not pass: they came from some other module of that name."""
    gaps: list[TestResult] = []
    for module, file in sorted(units.modules.items()):
        prefix = f"{units.lib_source}::{module}::"
        if (units.lib_source, units.sentinels[module]) not in passed:
            tests[:] = [t for t in tests if not t.test_id.startswith(prefix)]
            why = (
                f"the task's unit-test module {file} was not compiled into the library: the "
                f"crate must declare it (`#[cfg(test)] mod {module.rsplit('::', 1)[-1]};`) and "
                "define no module of that name itself"
            )
        else:
            why = "the task's test has no result (cfg'd out, or renamed by the solution?)"
        reported = {t.test_id for t in tests}
        for name in units.expected:
            test_id = f"{units.lib_source}::{name}"
            if test_id.startswith(prefix) and test_id not in reported:
                gaps.append(TestResult(test_id=test_id, outcome=Outcome.FAILED, message=why))
        if file in units.doc_files and not any(
            t.test_id.startswith(f"{DOCTESTS}::{file} - ") for t in tests
        ):
            gaps.append(
                TestResult(
                    test_id=f"{DOCTESTS}::{file}",
                    outcome=Outcome.FAILED,
                    message=f"no doc test of {file} ran (`cargo test --doc` saw none of them)",
                )
            )
    return gaps


def _build_failure(output: str, exit_code: int | None) -> CargoRun:
    errors = [m.start() for m in _COMPILE_ERROR.finditer(output)]
    excerpt = output[errors[0]:] if errors else output[-MESSAGE_CAP:]
    excerpt = excerpt.strip()[:MESSAGE_CAP]
    if any(p in output for p in _INFRA_PATTERNS):
        return CargoRun(
            RunStatus.INFRA_ERROR, [], f"the Rust toolchain or a dependency failed: {excerpt}"
        )
    if exit_code == 0:
        return CargoRun(
            RunStatus.INCOMPLETE, [], "cargo exited 0 without running any test target: not trusted"
        )
    return CargoRun(
        RunStatus.BUILD_FAILED,
        [],
        f"the crate or its tests do not compile (exit {exit_code}): {excerpt}",
    )
