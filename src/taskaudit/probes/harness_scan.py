"""Static scan of a task's own test script (Harbor's ``tests/test.sh``); nothing is run.

It answers four questions, each with the exact line: does the reward follow the test runner's
exit status (rather than per-test results), is that status even kept, does the script install
or download anything at test time, and does it run the tests from a place the solution can
write. ``fooled_by`` then says which of taskaudit's blocked cheat probes this script would have
let through, and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SCRIPT_NAMES = ("test.sh", "run-tests.sh", "run_tests.sh")

RUNNER = re.compile(
    r"(?<![\w/.-])(?:"
    r"(?:python3?|uv\s+run(?:\s+python3?)?)\s+-m\s+pytest|(?:uv\s+run\s+|uvx\s+)?pytest"
    r"|node\s+(?:--[\w-]+\s+)*--test|npx\s+(?:jest|vitest|mocha)|(?:jest|vitest|mocha)\b"
    r"|npm\s+(?:run\s+)?test|yarn\s+test|pnpm\s+test"
    r"|go\s+test|cargo\s+(?:nextest\s+run|test)|mvn\b[^\n]*\btest\b|(?:\./)?gradlew?\b[^\n]*\btest\b"
    r"|java\s+[^\n]*junit-platform-console"
    r")"
)
# Signs that the script reads per-test results instead of (or besides) the exit status.
PER_TEST = re.compile(
    r"--junitxml|junit\.xml|--junit|ctrf|--json-report|report\.json|go\s+test[^\n]*-json"
    r"|surefire-reports|TEST-[\w*]*\.xml|--reporter[= ]junit|--test-reporter|jq\s|xmllint"
    r"|grep\s+[^\n]*(?:passed|PASSED|failed|FAILED|test result)",
)
INSTALL = re.compile(
    r"(?<![\w-])(?:pip3?\s+install|uv\s+(?:pip\s+install|add|sync|tool\s+install)|uvx\s|pipx\s"
    r"|npm\s+(?:install|i|ci|add)\b|npx\s+(?:-y\s+|--yes\s+)?(?!jest|vitest|mocha|tsc)[\w@/-]+"
    r"|yarn\s+(?:add|install)|pnpm\s+(?:add|install)|apt(?:-get)?\s+install|apk\s+add"
    r"|yum\s+install|dnf\s+install|cargo\s+install|go\s+(?:install|get)\s|gem\s+install"
    r"|conda\s+install|brew\s+install)"
)
# Installs whose versions a lockfile or hashes pin (still a download at test time).
LOCKED = re.compile(r"npm\s+ci\b|--frozen|--locked|--require-hashes|--frozen-lockfile|--immutable")
FETCH = re.compile(r"(?<![\w-])(?:curl|wget|git\s+(?:clone|fetch|pull)|pip3?\s+download)\b|https?://")
OFFLINE = re.compile(r"--offline|--no-index|-o\b(?=.*\bmvn\b)|\bmvn\b[^\n]*\s-o\b")
IGNORE_STATUS = re.compile(r"\|\|\s*(?:true|:|exit\s+0)\b|;\s*(?:true|:)\s*$")
REWARD = re.compile(r"reward\.(?:txt|json)|/logs/verifier")
WORKSPACE = "/app"
COPY_INTO_WORKSPACE = re.compile(r"^\s*(?:cp|mv|rsync|ln)\s[^\n]*(?:/tests|\$TEST_DIR)[^\n]*\s/app\b")


@dataclass
class Issue:
    code: str  # V201..V206
    line: int  # 1-based, in the script
    text: str  # the line as written
    message: str


@dataclass
class Scan:
    script: str  # its path among the task's test files
    issues: list[Issue] = field(default_factory=list)
    runner_lines: list[int] = field(default_factory=list)
    trusts_exit_status: bool = False
    per_test_results: bool = False
    runs_in_workspace: bool = False  # cd /app before the runner, or tests copied into /app
    python_m_from_workspace: bool = False  # `python -m pytest` with /app as cwd: /app on sys.path
    runner_names: list[str] = field(default_factory=list)

    def issue_lines(self, code: str) -> list[Issue]:
        return [i for i in self.issues if i.code == code]


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, joined text) with backslash continuations joined, comments dropped."""
    out, buf, start = [], "", 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not buf:
            start = n
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        stripped = buf.strip()
        if stripped and not stripped.startswith("#"):
            out.append((start, re.sub(r"\s+#.*$", "", buf) if " #" in buf else buf))
        buf = ""
    if buf.strip():
        out.append((start, buf))
    return out


def find_script(test_files: dict[str, bytes]) -> str | None:
    for name in SCRIPT_NAMES:
        if name in test_files:
            return name
    return None


def scan(script: str, content: bytes) -> Scan:
    text = content.decode(errors="replace")
    raw_lines = text.splitlines()
    result = Scan(script=script)
    lines = logical_lines(text)
    pipefail = bool(re.search(r"set\s+-[a-z]*o\s+pipefail|set\s+-o\s+pipefail", text))
    result.per_test_results = bool(PER_TEST.search(text))
    cwd = None
    for n, line in lines:
        shown = raw_lines[n - 1].strip()
        cd = re.match(r"^\s*cd\s+(\S+)", line)
        if cd:
            cwd = cd.group(1).strip("\"'")
        if COPY_INTO_WORKSPACE.search(line):
            result.runs_in_workspace = True
            result.issues.append(Issue("V205", n, shown, "copies the tests into the solution's "
                                       "workspace: code the solution ships runs beside them and "
                                       "can rewrite them or hook the runner"))
        if INSTALL.search(line) and not OFFLINE.search(line) and LOCKED.search(line):
            result.issues.append(Issue("V206", n, shown, "installs dependencies pinned by a lockfile "
                                       "while the tests run: reproducible, but it needs the network "
                                       "and a registry at test time"))
        elif INSTALL.search(line) and not OFFLINE.search(line):
            result.issues.append(Issue("V203", n, shown, "installs software while the tests run: "
                                       "the result depends on what the registry serves that day, "
                                       "and the solution can shim the installer"))
        elif FETCH.search(line):
            result.issues.append(Issue("V204", n, shown, "fetches from the network while the tests "
                                       "run: the result depends on a remote host, and the solution "
                                       "can shim the download tool"))
        runner = _runner(line)
        if not runner:
            continue
        result.runner_lines.append(n)
        result.runner_names.append(runner)
        in_workspace = (cwd or "").rstrip("/").startswith(WORKSPACE) or re.search(r"cd\s+/app\b", line)
        if in_workspace:
            result.runs_in_workspace = True
            if re.search(r"python3?\s+-m\s+pytest", line):
                result.python_m_from_workspace = True
        if IGNORE_STATUS.search(line):
            result.issues.append(Issue("V202", n, shown, "the runner's exit status is thrown away "
                                       "(`|| true`): the reward cannot depend on the tests"))
        elif "|" in line.replace("||", "") and not pipefail:
            result.issues.append(Issue("V202", n, shown, "the runner's output is piped without "
                                       "`set -o pipefail`: `$?` and `if` see the last command of "
                                       "the pipe, not the test runner"))
    if result.runner_lines and not result.per_test_results and REWARD.search(text):
        result.trusts_exit_status = True
        n = result.runner_lines[0]
        if not result.issue_lines("V202"):
            result.issues.append(Issue("V201", n, raw_lines[n - 1].strip(), "the reward follows "
                                       "the test runner's exit status alone: a solution that ends "
                                       "the process with status 0 before the tests fail is "
                                       "rewarded"))
    result.issues.sort(key=lambda i: (i.line, i.code))
    return result


def _runner(line: str) -> str | None:
    """The test runner a command line starts, ignoring segments that install it."""
    for segment in re.split(r"&&|\|\||;|\|", line):
        if INSTALL.search(segment):
            continue
        m = RUNNER.search(segment)
        if m:
            return re.sub(r"\s+", " ", m.group(0))
    return None


def fooled_by(kind_name: str, s: Scan) -> str | None:
    """Why ``s``'s script would have accepted a probe of this kind that taskaudit blocked, or None
    when the script gives no such opening (or we cannot tell)."""
    if not (s.trusts_exit_status or s.issue_lines("V202")):
        return None
    runner = ", ".join(sorted(set(s.runner_names)))
    lost = s.issue_lines("V202")
    if lost:
        return f"it loses the exit status of `{runner}` (line {lost[0].line}): it rewards every solution"
    maven_like = all(re.match(r"mvn|\.?/?gradle", r) for r in s.runner_names)
    if kind_name == "exit-early":
        if maven_like:
            return None  # surefire reports a forked JVM that exits as an error
        return f"its reward follows the exit status of `{runner}`, which is 0 when the solution exits with 0"
    if kind_name == "plant-config":
        if s.python_m_from_workspace:
            return (f"it runs `{runner}` with the solution's workspace as the working directory, so "
                    "`python -m pytest` imports a `pytest.py` the solution ships, and the exit status decides")
        # Claimed only where it was verified: `go test` honours a planted TestMain, `cargo test`
        # runs a planted build.rs (which rewrites the copied tests). Maven, jest and vitest may
        # well read planted configuration too, but taskaudit does not claim what it did not check.
        planted_by = [r for r in s.runner_names if re.match(r"go test|cargo (?:test|nextest)", r)]
        if s.runs_in_workspace and planted_by:
            what = "a `TestMain` in a `_test.go` file" if planted_by[0].startswith("go") else "a `build.rs` that rewrites the tests"
            return (f"it runs `{planted_by[0]}` inside the solution's workspace, where {what} the "
                    "solution ships is honoured, and the exit status decides")
        return None
    if kind_name == "patch-runner":
        return f"the solution runs inside `{runner}`'s process and the script only reads its exit status"
    # tamper-tests: rewriting a test file from inside the run only changes files loaded after
    # it, which depends on the task's layout; no claim is made (the Rust build.rs rewrite is
    # the plant-config probe's).
    return None
