"""The host's JDK, and the per-machine cache every Java run mounts read-only.

Nothing here runs task code. The cache (``$XDG_CACHE_HOME/taskaudit/java``, by default
``~/.cache/taskaudit/java``) holds, once per machine:

- the JUnit Platform Console Standalone jar (JUnit Platform + Jupiter + Vintage engines with
  JUnit 4.13.2 and Hamcrest 1.3 bundled), fetched from Maven Central by ``mvn dependency:copy``
  (or copied from ``~/.m2``) and checked against a pinned SHA-256;
- ``harness-<key>/``: taskaudit's harness compiled into a jar by the host's ``javac``, and a
  class-data-sharing (AppCDS) archive recorded by running the harness once on a built-in
  sample task (taskaudit's own code, never a task's). The archive halves a run's start-up.

Every entry is built in a temporary directory beside its final place and renamed into place,
so concurrent taskaudit processes never see a half-written entry. The sandbox mounts the cache
read-only: no run can change what a later run uses.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from taskaudit.languages.java_support.harness import (
    HARNESS_JAVA,
    HARNESS_MAIN_CLASS,
    HARNESS_SOURCE_PATH,
)

JUNIT_PLATFORM_VERSION = "1.10.2"  # Jupiter and Vintage engines 5.10.2, JUnit 4.13.2 bundled
JUNIT_GAV = f"org.junit.platform:junit-platform-console-standalone:{JUNIT_PLATFORM_VERSION}"
JUNIT_JAR = f"junit-platform-console-standalone-{JUNIT_PLATFORM_VERSION}.jar"
JUNIT_SHA256 = "a1de557821293ce903c213c694165fff532cf92081bac4238b9e05b35f04f43f"
MIN_FEATURE = 11  # javac --release, the harness's APIs


@dataclass(frozen=True)
class Library:
    """A jar a task's code may use besides JUnit, fetched on first need and pinned by SHA-256."""

    gav: str  # group:artifact:version on Maven Central
    jar: str
    sha256: str
    package: str  # the Java package that shows a source uses it ("org.javatuples")


# MultiPL-E's Java prompts import org.javatuples (Pair, Triplet, ...), as its harness provides.
JAVATUPLES = Library(
    "org.javatuples:javatuples:1.2",
    "javatuples-1.2.jar",
    "2eda5b19d9820e1cc2f69fcd01639a715a673c11f8507e3d1ed593cf765d5e0a",
    "org.javatuples",
)
LIBRARIES = (JAVATUPLES,)

# JVM options of every sandboxed run (and of the archive's training run: CDS wants them equal).
# Serial GC and C1 only: a test run is short, so start-up and warm-up dominate; no perf-data
# file in /tmp; no attach (a solution could otherwise attach an agent to the harness's JVM).
JVM_FLAGS = (
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-XX:-UsePerfData",
    "-XX:+DisableAttachMechanism",
    "-Xss4m",
    "-Xmx1024m",
    "-Dfile.encoding=UTF-8",
    "-Djava.io.tmpdir=/tmp",
)

_lock = threading.Lock()


class JavaSetupError(RuntimeError):
    """taskaudit cannot provide what Java runs need here (an infrastructure error)."""


@dataclass(frozen=True)
class Jdk:
    home: Path  # resolved JAVA_HOME (symlinks followed)
    java: Path
    version: str  # "17.0.15"
    feature: int  # 17


@dataclass(frozen=True)
class JavaCache:
    root: Path  # the whole cache dir, mounted read-only
    junit_jar: Path
    harness_jar: Path
    archive: Path | None  # AppCDS archive, when the JVM could record one


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "taskaudit" / "java"


_jdk: tuple[Jdk | None, str] | None = None


def find_jdk() -> tuple[Jdk | None, str]:
    """The host's JDK from ``javac`` on PATH: (jdk, version) or (None, what to install). Cached."""
    global _jdk
    with _lock:
        if _jdk is None:
            _jdk = _find_jdk()
        return _jdk


def _find_jdk() -> tuple[Jdk | None, str]:
    hint = "install a JDK >= 11 with javac on PATH (e.g. apt-get install openjdk-17-jdk-headless)"
    javac = shutil.which("javac")
    if javac is None:
        return None, f"no javac on PATH: {hint}"
    home = Path(javac).resolve().parent.parent
    java = home / "bin" / "java"
    if not java.is_file():
        return None, f"{home} has javac but no bin/java: {hint}"
    version = _release_version(home) or _javac_version(Path(javac).resolve())
    if not version:
        return None, f"cannot read the JDK version of {home}: {hint}"
    match = re.match(r"(?:1\.)?(\d+)", version)
    feature = int(match.group(1)) if match else 0
    if feature < MIN_FEATURE:
        return None, f"JDK {version} at {home} is too old: {hint}"
    return Jdk(home=home, java=java, version=version, feature=feature), version


def _release_version(home: Path) -> str | None:
    try:
        text = (home / "release").read_text(errors="replace")
    except OSError:
        return None
    match = re.search(r'^JAVA_VERSION="([^"]+)"', text, re.M)
    return match.group(1) if match else None


def _javac_version(javac: Path) -> str | None:
    try:
        done = subprocess.run([str(javac), "-version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r"javac\s+(\S+)", done.stdout + done.stderr)
    return match.group(1) if match else None


def can_provide_junit() -> tuple[bool, str]:
    """Whether the JUnit jar is cached or can be fetched (without fetching it)."""
    if (cache_root() / JUNIT_JAR).is_file() or _m2_jar().is_file() or shutil.which("mvn"):
        return True, f"JUnit Platform {JUNIT_PLATFORM_VERSION}"
    return False, (
        f"{JUNIT_GAV} is not in {cache_root()} and there is no mvn to fetch it: install Maven "
        f"(apt-get install maven) or put {JUNIT_JAR} (SHA-256 {JUNIT_SHA256}) there"
    )


_cache: JavaCache | None = None


def ensure_cache(jdk: Jdk) -> JavaCache:
    """The cache, built on first use (per machine) and remembered (per process)."""
    global _cache
    with _lock:
        if _cache is None:
            root = cache_root()
            root.mkdir(parents=True, exist_ok=True)
            with _file_lock(root / ".lock"):
                junit = _ensure_junit(root)
                _cache = _ensure_harness(root, jdk, junit)
        return _cache


class _file_lock:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> None:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _m2_jar(gav: str = JUNIT_GAV, jar: str = JUNIT_JAR) -> Path:
    group, artifact, version = gav.split(":")
    return Path.home() / ".m2" / "repository" / Path(*group.split(".")) / artifact / version / jar


def _ensure_junit(root: Path) -> Path:
    return _ensure_jar(root, JUNIT_GAV, JUNIT_JAR, JUNIT_SHA256)


def ensure_library(lib: Library) -> Path:
    """The library's jar in the per-machine cache, fetched once (under the cache's file lock)."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    target = root / lib.jar
    if target.is_file():
        return target
    with _lock, _file_lock(root / ".lock"):
        return _ensure_jar(root, lib.gav, lib.jar, lib.sha256)


def _ensure_jar(root: Path, gav: str, jar: str, sha256: str) -> Path:
    target = root / jar
    if target.is_file() and _sha256(target) == sha256:
        return target
    with tempfile.TemporaryDirectory(dir=root, prefix=".fetch-") as tmp:
        fetched = Path(tmp) / jar
        if _m2_jar(gav, jar).is_file():
            shutil.copyfile(_m2_jar(gav, jar), fetched)
        else:
            mvn = shutil.which("mvn")
            if mvn is None:
                raise JavaSetupError(
                    f"{gav} is not in {root} and there is no mvn to fetch it: install Maven "
                    f"(apt-get install maven) or put {jar} (SHA-256 {sha256}) there"
                )
            # dependency:copy downloads a fixed artefact; it runs no task code.
            done = subprocess.run(
                [mvn, "-B", "-q", "dependency:copy", f"-Dartifact={gav}", f"-DoutputDirectory={tmp}"],
                capture_output=True,
                text=True,
                timeout=600,
                cwd=tmp,
            )
            if done.returncode != 0 or not fetched.is_file():
                tail = (done.stdout + done.stderr).strip()[-1500:]
                raise JavaSetupError(f"mvn could not fetch {gav} (is Maven Central reachable?): {tail}")
        digest = _sha256(fetched)
        if digest != sha256:
            raise JavaSetupError(f"{jar} has SHA-256 {digest}, expected {sha256}: refusing it")
        fetched.chmod(0o444)
        os.replace(fetched, target)
    return target


def _harness_key(jdk: Jdk) -> str:
    h = hashlib.sha256()
    for part in (HARNESS_JAVA, JUNIT_SHA256, str(jdk.home), jdk.version, *JVM_FLAGS, _TRAINING_KEY):
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()[:16]


def _ensure_harness(root: Path, jdk: Jdk, junit: Path) -> JavaCache:
    final = root / f"harness-{_harness_key(jdk)}"
    archive = final / "harness.jsa"
    if not (final / "harness.jar").is_file():
        work = Path(tempfile.mkdtemp(dir=root, prefix=".harness-"))
        try:
            _build_harness(work, jdk, junit)
            work.chmod(0o755)  # mkdtemp made it private; the sandbox's user only reads it
            try:
                os.rename(work, final)
            except OSError:  # another process got there first
                shutil.rmtree(work, ignore_errors=True)
        finally:
            if work.exists():
                shutil.rmtree(work, ignore_errors=True)
        # Recorded where it will be used: the archive names the class path it was made with.
        _record_archive(final, jdk, junit)
    return JavaCache(
        root=root,
        junit_jar=junit,
        harness_jar=final / "harness.jar",
        archive=archive if archive.is_file() else None,
    )


def _build_harness(work: Path, jdk: Jdk, junit: Path) -> None:
    src = work / "src" / HARNESS_SOURCE_PATH
    src.parent.mkdir(parents=True)
    src.write_text(HARNESS_JAVA)
    classes = work / "classes"
    javac = jdk.home / "bin" / "javac"
    jar = jdk.home / "bin" / "jar"
    _check([str(javac), "-nowarn", "-d", str(classes), "-cp", str(junit), str(src)], "compile the harness")
    _check([str(jar), "cf", str(work / "harness.jar"), "-C", str(classes), "."], "package the harness")
    shutil.rmtree(classes)
    shutil.rmtree(work / "src")


def _check(argv: list[str], what: str) -> None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise JavaSetupError(f"cannot {what}: {exc}") from None
    if done.returncode != 0:
        raise JavaSetupError(f"cannot {what}: {(done.stdout + done.stderr).strip()[-1500:]}")


# The training run behind the AppCDS archive: taskaudit's own sample (Jupiter, parameterised,
# and JUnit 4 through Vintage), so the classes a typical run loads are archived.
_TRAINING = {
    "app/Sample.java": "public final class Sample {\n"
    "    public static int twice(int x) { return 2 * x; }\n}\n",
    "tests/SampleTest.java": "import static org.junit.jupiter.api.Assertions.*;\n"
    "import org.junit.jupiter.api.*;\n"
    "import org.junit.jupiter.params.ParameterizedTest;\n"
    "import org.junit.jupiter.params.provider.*;\n"
    "class SampleTest {\n"
    "    @Test void twice() { assertEquals(4, Sample.twice(2)); }\n"
    "    @Test void fails() { assertThrows(ArithmeticException.class, () -> { int z = 0; int y = 1 / z; }); }\n"
    "    @ParameterizedTest @ValueSource(ints = {1, 2}) void param(int x) { assertTrue(Sample.twice(x) > x); }\n"
    "    @ParameterizedTest @CsvSource({\"1, 2\"}) void csv(int x, int y) { assertEquals(y, Sample.twice(x)); }\n"
    "    @TestFactory java.util.List<DynamicTest> dyn() {\n"
    "        return java.util.List.of(DynamicTest.dynamicTest(\"d\", () -> assertNotNull(\"x\")));\n"
    "    }\n"
    "}\n",
    "tests/SampleLegacyTest.java": "import org.junit.Test;\nimport static org.junit.Assert.*;\n"
    "public class SampleLegacyTest {\n"
    "    @Test public void twice() { assertEquals(6, Sample.twice(3)); }\n}\n",
}
_TRAINING_KEY = hashlib.sha256(repr(sorted(_TRAINING.items())).encode()).hexdigest()


def _record_archive(final: Path, jdk: Jdk, junit: Path) -> None:
    """Record an AppCDS archive of the classes the harness loads; no archive if the JVM can't."""
    sample = Path(tempfile.mkdtemp(dir=final.parent, prefix=".training-"))
    recording = final / f".harness-{os.getpid()}.jsa"
    for rel, text in _TRAINING.items():
        path = sample / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (sample / "results").mkdir()
    (sample / "results" / "nonce").write_text("training")
    (sample / "plan.txt").write_text("main Sample.java\ntest SampleTest.java\ntest SampleLegacyTest.java\n")
    argv = [
        str(jdk.java),
        *JVM_FLAGS,
        f"-XX:ArchiveClassesAtExit={recording}",
        "-Xlog:cds=off",
        "-Xlog:cds+dynamic=off",
        "-cp",
        f"{final / 'harness.jar'}:{junit}",
        HARNESS_MAIN_CLASS,
        *harness_args(str(sample / "results"), str(sample / "app"), str(sample / "tests"),
                      str(sample / "plan.txt"), str(junit)),
    ]
    try:
        subprocess.run(argv, capture_output=True, timeout=300, cwd=sample)
    except (OSError, subprocess.TimeoutExpired):
        pass
    shutil.rmtree(sample, ignore_errors=True)
    if recording.exists() and recording.stat().st_size > 0:
        os.replace(recording, final / "harness.jsa")
    elif recording.exists():
        recording.unlink()


def harness_args(results: str, app: str, tests: str, plan: str, classpath: str) -> list[str]:
    return ["--results", results, "--app", app, "--tests", tests, "--plan", plan, "--classpath", classpath]
