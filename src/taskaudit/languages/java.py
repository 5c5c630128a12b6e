"""Java tasks: JUnit 5 (Jupiter) and JUnit 4 (Vintage) on the JUnit Platform, in the sandbox.

One JVM per run does everything, so the JVM starts once: taskaudit's harness
(``java_support/harness.py``) reads a one-time key, compiles the solution's and the tests'
``.java`` sources in memory with the JDK's compiler (``-proc:none``: no annotation processor,
so no task code runs while compiling), runs the test classes with the JUnit Platform launcher
from the Console Standalone jar (legacy JUnit XML reports plus its own per-test record), signs
the record with HMAC-SHA256 under the key and halts the JVM.

Layout inside the sandbox: the workspace (starter + solution) at ``/app`` (writable, the
working directory), the pristine tests at ``/tests`` (read-only; a ``src/test`` directory among
them is also mounted read-only at ``/app/src/test``), the results directory at ``/results``,
the run's plan at ``/taskaudit-harness`` and the JDK and taskaudit's Java cache read-only at
their host paths. See ``docs/languages/java.md``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree as SafeET

from taskaudit.languages import planted
from taskaudit.languages.base import ParsedRun, PreparedRun
from taskaudit.languages.java_support import analysis
from taskaudit.languages.java_support.harness import HARNESS_MAIN_CLASS
from taskaudit.languages.java_support.pom import read_pom
from taskaudit.languages.java_support.toolchain import (
    JVM_FLAGS,
    LIBRARIES,
    JavaSetupError,
    can_provide_junit,
    ensure_cache,
    ensure_library,
    find_jdk,
    harness_args,
)
from taskaudit.languages.junit_xml import case_outcome
from taskaudit.model import Outcome, RunStatus, TestResult
from taskaudit.sandbox.base import Mount, ProcessResult

WORKSPACE = "/app"
TESTS = "/tests"
RESULTS = "/results"
HARNESS = "/taskaudit-harness"

_MESSAGE_CAP = 2000
# Harness exit codes: 0 every test passed, 1 some did not, 2 build failed, 3 harness error.
_EXIT_BY_STATUS = {"completed": {0, 1}, "build_failed": {2}, "harness_error": {3}}
# Directories of the workspace that never hold the solution's sources.
_SKIP_DIRS = {"target", "build", "out", "bin", "node_modules"}


@dataclass
class JavaPreparedRun(PreparedRun):
    notes: list[str] = field(default_factory=list)  # things taskaudit ignored, for the detail
    infra_error: str | None = None  # set when taskaudit cannot run this task: nothing ran
    build_error: str | None = None  # set when the task's own build files are broken: nothing ran


class JavaLanguage:
    name = "java"
    runners = ("junit",)
    source_suffixes = (".java",)
    # The JVM reserves far more address space than it uses: RLIMIT_AS breaks it.
    address_space_ok = False

    def toolchain(self) -> tuple[bool, str]:
        jdk, version = find_jdk()
        if jdk is None:
            return False, version
        ok, junit = can_provide_junit()
        if not ok:
            return False, junit
        return True, f"OpenJDK {version} ({jdk.home}), {junit}"

    def toolchain_version(self) -> str:
        return self.toolchain()[1]

    def toolchain_mounts(self) -> list[Mount]:
        jdk, _ = find_jdk()
        if jdk is None:
            return []
        mounts = [Mount(host=jdk.home, target=str(jdk.home))]
        try:
            cache = ensure_cache(jdk)
        except (JavaSetupError, OSError):
            return mounts
        return [*mounts, Mount(host=cache.root, target=str(cache.root))]

    # ------------------------------------------------------------------ prepare

    def prepare(self, workspace: Path, tests_dir: Path, results_dir: Path) -> PreparedRun:
        jdk, problem = find_jdk()
        if jdk is None:
            return _failed_preparation(results_dir, f"no usable JDK: {problem}")
        try:
            cache = ensure_cache(jdk)
        except (JavaSetupError, OSError) as exc:
            return _failed_preparation(results_dir, f"cannot set up JUnit for Java runs: {exc}")

        notes: list[str] = []
        # The plan holds one path a line: a name with a line break cannot be passed (nor, in
        # practice, compiled by javac); it is left out and said.
        workspace_files, test_files = _walk(workspace), _walk(tests_dir)
        odd = [p for p in workspace_files + test_files if "\n" in p or "\r" in p]
        if odd:
            notes.append(f"{len(odd)} file name(s) with a line break ignored")
            workspace_files = [p for p in workspace_files if p not in odd]
            test_files = [p for p in test_files if p not in odd]
        test_sources = [p for p in test_files if p.endswith(".java")]
        test_basenames = {PurePosixPath(p).name for p in test_sources}

        release = None
        if "pom.xml" in workspace_files:
            pom = read_pom((workspace / "pom.xml").read_bytes())
            if pom.error:
                return _failed_preparation(results_dir, pom.error, build=True)
            if pom.unsupported:
                return _failed_preparation(
                    results_dir,
                    "pom.xml depends on " + ", ".join(pom.unsupported) + ": taskaudit runs Java tasks "
                    "whose only dependency is JUnit; other dependencies are not supported yet",
                )
            if pom.build_config:
                notes.append(
                    "pom.xml build configuration ignored (taskaudit compiles with javac and runs the "
                    "JUnit launcher itself; Maven and its plugins never run): " + ", ".join(pom.build_config)
                )
            release = pom.release
            roots = ("src/main/java/",)
        else:
            roots = ("",)
        if release and int(release) > jdk.feature:
            return _failed_preparation(
                results_dir, f"pom.xml asks for Java {release}; the host's JDK is {jdk.version}"
            )

        main_sources: list[str] = []
        excluded: list[str] = []
        for rel in workspace_files:
            if not rel.endswith(".java") or not rel.startswith(roots):
                continue
            parts = PurePosixPath(rel).parts
            if any(p.startswith(".") or p in _SKIP_DIRS for p in parts[:-1]):
                continue
            if rel.startswith("src/test/") or parts[-1] == "module-info.java":
                excluded.append(rel)  # planted_files reports these
            elif parts[-1] in test_basenames:
                excluded.append(rel)
                notes.append(f"{rel} has the name of a test file and was not compiled (it would shadow the test)")
            else:
                main_sources.append(rel)

        resources = ["."]
        for candidate in ("src/test/resources", "resources"):
            if (tests_dir / candidate).is_dir():
                resources.append(candidate)

        harness = results_dir.parent / "harness"
        harness.mkdir(exist_ok=True)
        plan = [f"main {p}" for p in main_sources] + [f"test {p}" for p in test_sources]
        plan += [f"resources {r}" for r in resources]
        if release:
            plan.append(f"release {release}")
        _write_plan(harness / "plan.txt", plan)

        # Libraries besides JUnit (javatuples), when a source imports them: fetched once per
        # machine into the read-only cache, put on the compile and run class path.
        libraries: list[str] = []
        for lib in LIBRARIES:
            needle = lib.package.encode()
            if any(needle in (workspace / p).read_bytes() for p in main_sources) or any(
                needle in (tests_dir / p).read_bytes() for p in test_sources
            ):
                try:
                    libraries.append(str(ensure_library(lib)))
                except (JavaSetupError, OSError) as exc:
                    return _failed_preparation(results_dir, f"cannot provide {lib.gav}: {exc}")

        secret = secrets.token_hex(16)
        (results_dir / "nonce").write_text(secret)
        junit = ":".join([str(cache.junit_jar), *libraries])
        argv = [str(jdk.java), *JVM_FLAGS, "-XX:ErrorFile=/tmp/hs_err_%p.log"]
        if cache.archive is not None:
            argv += ["-Xshare:auto", f"-XX:SharedArchiveFile={cache.archive}", "-Xlog:cds=off", "-Xlog:cds+dynamic=off"]
        argv += [
            "-cp",
            f"{cache.harness_jar}:{junit}",
            HARNESS_MAIN_CLASS,
            *harness_args(RESULTS, WORKSPACE, TESTS, f"{HARNESS}/plan.txt", junit),
        ]
        mounts = [
            Mount(host=jdk.home, target=str(jdk.home)),
            Mount(host=cache.root, target=str(cache.root)),
            Mount(host=harness, target=HARNESS),
            Mount(host=workspace, target=WORKSPACE, writable=True),
            Mount(host=tests_dir, target=TESTS),
            Mount(host=results_dir, target=RESULTS, writable=True),
        ]
        if (tests_dir / "src" / "test").is_dir():
            # Tests that read fixtures relative to the project (src/test/resources/...) find them.
            mounts.append(Mount(host=tests_dir / "src" / "test", target=f"{WORKSPACE}/src/test"))
        return JavaPreparedRun(
            argv=argv,
            cwd=WORKSPACE,
            mounts=mounts,
            env={"JAVA_HOME": str(jdk.home), "PATH": f"{jdk.home}/bin:/usr/local/bin:/usr/bin:/bin"},
            results_dir=results_dir,
            secret=secret,
            notes=notes,
        )

    # ------------------------------------------------------------------ parse

    def parse(self, prepared: PreparedRun, process: ProcessResult) -> ParsedRun:
        assert prepared.results_dir is not None
        notes = list(getattr(prepared, "notes", []))
        infra = getattr(prepared, "infra_error", None)
        if infra:
            return ParsedRun(RunStatus.INFRA_ERROR, [], infra)
        broken = getattr(prepared, "build_error", None)
        if broken:
            return ParsedRun(RunStatus.BUILD_FAILED, [], broken)
        parsed = self._parse(prepared, process)
        if notes:
            parsed.detail = "; ".join(filter(None, [parsed.detail, *notes]))
        return parsed

    def _parse(self, prepared: PreparedRun, process: ProcessResult) -> ParsedRun:
        results = prepared.results_dir
        assert results is not None
        record, why = read_record(results / "session.json", prepared.secret)
        if record is None:
            return ParsedRun(
                RunStatus.INCOMPLETE,
                [],
                f"the test JVM ended before the harness finished ({why}; exit code "
                f"{process.exit_code}); no result of this run is trusted",
            )
        status = record.get("status")
        exit_status = record.get("exit")
        if status not in _EXIT_BY_STATUS or exit_status not in _EXIT_BY_STATUS[status]:
            return ParsedRun(RunStatus.INCOMPLETE, [], f"harness record has an unknown status {status!r}")
        if process.exit_code != exit_status:
            return ParsedRun(
                RunStatus.INCOMPLETE,
                [],
                f"process exit code {process.exit_code} differs from the harness's own status "
                f"{exit_status}: something ended the JVM after the record; not trusted",
            )
        if status == "build_failed":
            diagnostics = record.get("diagnostics") or []
            lines = [f"{d.get('file')}:{d.get('line')}: {d.get('message')}" for d in diagnostics if isinstance(d, dict)]
            return ParsedRun(
                RunStatus.BUILD_FAILED,
                [],
                ("compilation failed: " + "; ".join(lines))[:_MESSAGE_CAP],
            )
        if status == "harness_error":
            return ParsedRun(
                RunStatus.INCOMPLETE,
                [],
                f"the test run aborted: {str(record.get('message'))[:_MESSAGE_CAP]}",
            )

        recorded_pairs = [tuple(t) for t in record.get("tests", []) if isinstance(t, list) and len(t) == 3]
        try:
            xml_cases = []
            for name in ("TEST-junit-jupiter.xml", "TEST-junit-vintage.xml"):
                path = results / "junit" / name
                if path.exists():
                    xml_cases.extend(parse_junit_xml(path.read_bytes()))
        except (OSError, SafeET.ParseError, ValueError) as exc:
            return ParsedRun(RunStatus.INCOMPLETE, [], f"JUnit XML unreadable: {exc}")

        ids = test_ids([(c, n) for c, n, _ in recorded_pairs] + [(c[0], c[1]) for c in xml_cases])
        recorded = {ids[(c, n)]: o for c, n, o in recorded_pairs}
        from_xml = {ids[(c[0], c[1])]: c for c in xml_cases}
        if set(recorded) != set(from_xml):
            odd = sorted(set(recorded) ^ set(from_xml))[:5]
            return ParsedRun(
                RunStatus.INCOMPLETE,
                [],
                f"the JUnit XML and the harness's record name different tests ({', '.join(odd)}): "
                "results were tampered with",
            )
        tests: list[TestResult] = []
        for test_id, outcome in recorded.items():
            _, _, xml_outcome, duration, message = from_xml[test_id]
            if xml_outcome == Outcome.PASSED and outcome != "passed":
                return ParsedRun(
                    RunStatus.INCOMPLETE,
                    [],
                    f"JUnit XML reports {test_id} passed but the harness recorded {outcome}: "
                    "results were tampered with",
                )
            tests.append(
                TestResult(
                    test_id=test_id,
                    outcome=_OUTCOMES.get(outcome, Outcome.MISSING),
                    duration_sec=duration,
                    message=message if outcome != "passed" else None,
                )
            )
        detail = "" if tests else "no tests were found in the test classes"
        return ParsedRun(RunStatus.COMPLETED, tests, detail)

    # ------------------------------------------------------------------ static

    def locate_test(self, test_id: str, test_files: dict[str, bytes]) -> tuple[str, int | None] | None:
        return analysis.locate_test(test_id, test_files)

    def assertion_points(self, test_files: dict[str, bytes]) -> list[tuple[str, str, int, int]]:
        return analysis.assertion_points(test_files)

    def planted_files(self, workspace: dict[str, bytes]) -> dict[str, str]:
        """Workspace files that would configure, hook or replace the tests if honoured.

        All are inert: only ``.java`` sources of the solution are compiled (never those under
        ``src/test/`` or ``module-info.java``), nothing of the workspace is on the class path,
        ServiceLoader auto-registration is off and Maven never runs (``languages/planted.py``).
        """
        return planted.java(workspace)


_OUTCOMES = {
    "passed": Outcome.PASSED,
    "failed": Outcome.FAILED,
    "error": Outcome.ERROR,
    "skipped": Outcome.SKIPPED,
    "missing": Outcome.MISSING,
}


def _failed_preparation(results_dir: Path, why: str, *, build: bool = False) -> JavaPreparedRun:
    """A run that does nothing, so that parse() reports the problem found while preparing:
    taskaudit's (INFRA_ERROR), or the task's broken build files (BUILD_FAILED)."""
    return JavaPreparedRun(
        argv=["/bin/true"],
        cwd="/",
        mounts=[],
        results_dir=results_dir,
        infra_error=None if build else why,
        build_error=why if build else None,
    )


def _walk(root: Path) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            found.append((Path(dirpath) / name).relative_to(root).as_posix())
    return found


def _write_plan(path: Path, lines: list[str]) -> None:
    for line in lines:
        if "\n" in line or "\r" in line:
            raise ValueError(f"file name with a line break: {line!r}")
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def read_record(path: Path, secret: str) -> tuple[dict | None, str]:
    """The harness's record if it is signed with this run's key, else (None, why)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None, "no harness record"
    body, _, rest = text.partition("\n")
    mac = rest.strip()
    expected = hmac.new(secret.encode(), body.encode("utf-8"), hashlib.sha256).hexdigest()
    if not secret or not hmac.compare_digest(mac, expected):
        return None, "the harness record is not signed with this run's key (forged)"
    try:
        record = json.loads(body)
    except ValueError:
        return None, "the harness record is not JSON"
    return (record, "") if isinstance(record, dict) else (None, "the harness record is not an object")


def parse_junit_xml(xml: bytes) -> list[tuple[str, str, Outcome, float | None, str | None]]:
    """(classname, name, outcome, seconds, message) per ``testcase`` of a legacy JUnit XML file,
    parsed with defusedxml (written by a process that ran untrusted code)."""
    root = SafeET.fromstring(xml)
    cases = []
    for case in root.iter("testcase"):
        outcome, message, duration = case_outcome(case)
        cases.append((case.get("classname", ""), case.get("name", ""), outcome, duration, message))
    return cases


_SIGNATURE = re.compile(r"^([^(\[]*)\(([^)]*)\)(.*)$")


def test_ids(pairs: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """Stable, readable, unique ids from the legacy reporting names of a run's tests.

    ``("RleTest", "decodeMultiDigit()")`` -> ``RleTest::decodeMultiDigit``;
    ``roundtrip(String)[2]`` -> ``RleTest::roundtrip[2]`` (the 2nd invocation); a dynamic test
    ``cases()[1][3]`` -> ``RleTest::cases[1][3]``. Overloads that would share an id keep their
    parameter types: ``RleTest::check(int)``.
    """
    short: dict[tuple[str, str], str] = {}
    full: dict[tuple[str, str], str] = {}
    for classname, name in dict.fromkeys(pairs):
        match = _SIGNATURE.match(name)
        if match:
            method, params, rest = match.groups()
            short[(classname, name)] = f"{classname}::{method}{rest}"
            full[(classname, name)] = f"{classname}::{method}({params}){rest}"
        else:
            short[(classname, name)] = full[(classname, name)] = f"{classname}::{name}"
    counts: dict[str, int] = {}
    for value in short.values():
        counts[value] = counts.get(value, 0) + 1
    return {key: (value if counts[value] == 1 else full[key]) for key, value in short.items()}


test_ids.__test__ = False  # type: ignore[attr-defined]  # not a pytest test
