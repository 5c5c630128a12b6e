"""Java mutation backend: tree-sitter operators, the schema compiled once (in memory, in the
sandbox) and a warm JVM running the JUnit Platform launcher per mutant on the tests that reach
it (``java_support/driver.py``). See ``docs/mutation-compiled.md``.

The language runner (``languages/java.py``) prepares the sandbox exactly as for a normal run
(JDK and JUnit mounts, the plan of sources); only the JVM's main class differs. Test ids come
from its ``test_ids``, so they match the reference run's.
"""

from __future__ import annotations

import json
from pathlib import Path

from taskaudit.languages.java import JavaLanguage, test_ids
from taskaudit.languages.java_support.toolchain import (
    JVM_FLAGS,
    JavaSetupError,
    ensure_cache,
    find_jdk,
)
from taskaudit.mutation.base import MutationJob
from taskaudit.mutation.compiled_support.execute import (
    SchemaOutcome,
    SchemaRun,
    Scratch,
    errored,
    execute_schema,
    write_tree,
)
from taskaudit.mutation.compiled_support.loop import FACTOR, FLOOR_MS, HIT_FACTOR, HIT_FLOOR, WALL_SLACK
from taskaudit.mutation.compiled_support.outcomes import timeout_detail
from taskaudit.mutation.java_support import operators
from taskaudit.mutation.java_support.driver import DRIVER_MAIN_CLASS, ensure_driver
from taskaudit.mutation.java_support.schema import SWITCH_PATH, SWITCH_SOURCE, wrap
from taskaudit.mutation.model import Mutant, MutantResult, Outcome
from taskaudit.runner import limits_for
from taskaudit.sandbox.base import Limits, Mount, SandboxRequest

HARNESS = "/taskaudit-mutation"
MAX_JVMS = 20  # a timeout halts the JVM; the mutants left go to a new one, this many times


class JavaMutation:
    language = "java"
    strategy = "schemata+warm-jvm"

    def generate(self, files: dict[str, bytes], paths: list[str]) -> list:
        mutants = []
        for path in sorted(paths):
            if path.endswith(".java") and path in files and not path.startswith("src/test/"):
                mutants.extend(c.mutant for c in operators.candidates(path, files[path]))
        return mutants

    def execute(self, job: MutationJob) -> list[MutantResult]:
        files = sorted({m.file for m in job.mutants})
        cands = [c for p in files if p in job.workspace for c in operators.candidates(p, job.workspace[p])]
        return execute_schema(job, "Java", cands, wrap, _switch_class(job.workspace),
                              _SchemaRun)


def _switch_class(workspace: dict[str, bytes]):
    def extra(schema_files: dict[str, bytes]) -> dict[str, bytes]:
        root = "src/main/java/" if "pom.xml" in workspace else ""
        return {root + SWITCH_PATH: SWITCH_SOURCE.encode()}

    return extra


class _SchemaRun(SchemaRun):
    """One schema: build, coverage and the warm loop in one JVM (more if a mutant hangs it)."""

    def run_in(self, scratch: Scratch) -> SchemaOutcome:
        job = self.job
        jdk, problem = find_jdk()
        if jdk is None:
            return errored(self.schema, f"no usable JDK: {problem}")
        try:
            cache = ensure_cache(jdk)
            driver = ensure_driver(jdk, cache)
        except (JavaSetupError, RuntimeError, OSError) as exc:
            return errored(self.schema, str(exc))
        write_tree(scratch.app, {**job.workspace, **self.schema.files})
        write_tree(scratch.tests, job.task.test_files)
        prepared = JavaLanguage().prepare(scratch.app, scratch.tests, scratch.results)
        if getattr(prepared, "infra_error", None) or getattr(prepared, "build_error", None):
            return errored(self.schema, prepared.infra_error or prepared.build_error)
        junit = str(cache.junit_jar)
        remaining = sorted(self.schema.switch_ids)
        results: dict[str, MutantResult] = {}
        coverage: dict[str, list[str]] = {}  # readable unit id -> ids it reaches
        jvms = 0
        cpu: list[float] = []
        jvm: dict = {}
        for attempt in range(MAX_JVMS):
            if not remaining:
                break
            jvms += 1
            (scratch.harness / "ids.txt").write_text("".join(f"{i}\n" for i in remaining))
            out_name = f"mutation-{attempt}.jsonl"
            argv = [str(jdk.java), *JVM_FLAGS, "-XX:ErrorFile=/tmp/hs_err_%p.log",
                    "-cp", f"{driver}:{cache.harness_jar}:{junit}", DRIVER_MAIN_CLASS,
                    "--results", "/results", "--app", "/app", "--tests", "/tests",
                    "--plan", "/taskaudit-harness/plan.txt", "--classpath", junit,
                    "--ids", f"{HARNESS}/ids.txt", "--out", out_name,
                    "--factor", str(FACTOR), "--floor-ms", str(FLOOR_MS), "--wall-slack", str(WALL_SLACK),
                    "--hit-factor", str(HIT_FACTOR), "--hit-floor", str(HIT_FLOOR)]
            limits = limits_for(job.task)
            wall = 120.0 + 4 * job.reference.duration_sec + 12.0 * len(remaining)
            process = job.sandbox.run(SandboxRequest(
                argv=argv, cwd="/app",
                mounts=[*prepared.mounts, Mount(host=scratch.harness, target=HARNESS),
                        Mount(host=driver.parent, target=str(driver.parent))],
                env=prepared.env, limits=Limits(**{**limits.__dict__, "wall_seconds": wall}),
                address_space_ok=False))
            if process.sandbox_error:
                return errored(self.schema, f"sandbox failed: {process.sandbox_error}")
            lines = _lines(scratch.results / out_name)
            for line in lines:
                if "build_error" in line:
                    errors = [(e.get("file", ""), int(e.get("line", 0)), int(e.get("column", 0)), e.get("message", ""))
                              for e in line["build_error"]]
                    return SchemaOutcome(False, errors=errors, detail="; ".join(e[3] for e in errors)[:1500])
                if "error" in line:
                    return errored(self.schema, f"the Java mutation driver failed: {line['error']}")
            units = [ln for ln in lines if "unit" in ln]
            names = test_ids([(u["cls"], u["name"]) for u in units])
            for u in units:
                if u["passed"]:
                    coverage[names[(u["cls"], u["name"])]] = u["ids"]
            started: int | None = None
            done_now: list[int] = []
            for line in lines:
                if "jvm" in line:
                    jvm = line["jvm"]
                if "mutant" not in line:
                    continue
                switch, status = int(line["mutant"]), line["status"]
                mutant = self.schema.switch_ids.get(switch)
                if mutant is None:
                    continue
                covered = sorted(u for u, ids in coverage.items() if switch in ids)
                if status == "start":
                    started = switch
                    continue
                started = None
                done_now.append(switch)
                if status == "no_coverage":
                    results[mutant.id] = MutantResult(mutant, Outcome.NO_COVERAGE, detail="no test reaches this code")
                elif status == "crash":
                    results[mutant.id] = MutantResult(mutant, Outcome.CRASH, covered_by=covered,
                                                      detail="the JUnit launcher failed while this mutant ran")
                elif status == "timeout":
                    results[mutant.id] = MutantResult(mutant, Outcome.TIMEOUT, covered_by=covered,
                                                      detail=timeout_detail(line),
                                                      duration_ms=round(float(line.get("ms", 0)), 2))
                else:
                    results[mutant.id] = _done(mutant, covered, line)
                if "cpu_ms" in line:
                    cpu.append(float(line["cpu_ms"]))
            if started is not None:  # the JVM died while this mutant ran (System.exit, a crash)
                mutant = self.schema.switch_ids[started]
                done_now.append(started)
                results[mutant.id] = MutantResult(
                    mutant, Outcome.CRASH, covered_by=sorted(u for u, ids in coverage.items() if started in ids),
                    detail=f"the test JVM ended while this mutant ran (exit {process.exit_code}): "
                           f"{process.stderr[-300:].decode(errors='replace')}")
            if not done_now:
                break
            remaining = [i for i in remaining if i not in done_now]
        job.stats["jvm_starts"] = float(jvms)
        if cpu and jvm.get("loop_cpu_ms", -1) >= 0:
            job.stats["mean_cpu_ms_per_mutant"] = round(jvm["loop_cpu_ms"] / len(cpu), 3)
        if jvm.get("rss_kb", -1) > 0:
            job.stats["jvm_rss_kb"] = float(jvm["rss_kb"])
            job.stats["jvm_peak_rss_kb"] = float(jvm["peak_rss_kb"])
        for i in remaining:
            mutant = self.schema.switch_ids[i]
            results[mutant.id] = MutantResult(mutant, Outcome.ERROR, detail="the warm JVM ended before this mutant ran")
        return SchemaOutcome(True, results)

def _lines(path: Path) -> list[dict]:
    out = []
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return out
    for raw in text.splitlines():
        try:
            value = json.loads(raw)
        except ValueError:
            continue
        if isinstance(value, dict):
            out.append(value)
    return out


def _done(mutant: Mutant, covered: list[str], line: dict) -> MutantResult:
    """A mutant whose covering tests ran to the end: killed by the tests that failed (save
    those that also fail with no mutant), else survived."""
    tests = [tuple(t) for t in line.get("tests", [])]
    anyway = {(c, n) for c, n, o in line.get("base_tests", []) if o in ("failed", "error")}
    ids = test_ids([(c, n) for c, n, _ in tests])
    killed = sorted({ids[(c, n)] for c, n, o in tests if o in ("failed", "error") and (c, n) not in anyway})
    result = MutantResult(mutant, Outcome.KILLED if killed else Outcome.SURVIVED, killed_by=killed,
                          covered_by=covered, duration_ms=round(float(line.get("ms", 0)), 2))
    recheck = line.get("recheck")
    if recheck:
        result.detail = (f"past its first limit ({recheck['first_limit_ms']:.0f} ms), finished in "
                         f"{result.duration_ms:.0f} ms on the re-check")
    return result
