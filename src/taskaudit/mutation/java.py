"""Java mutation backend: tree-sitter operators, the schema compiled once (in memory, in the
sandbox) and a warm JVM running the JUnit Platform launcher per mutant on the tests that reach
it (``java_support/driver.py``). See ``docs/mutation-compiled.md``.

The language runner (``languages/java.py``) prepares the sandbox exactly as for a normal run
(JDK and JUnit mounts, the plan of sources); only the JVM's main class differs. Test ids come
from its ``test_ids``, so they match the reference run's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from taskaudit.languages.java import JavaLanguage, test_ids
from taskaudit.languages.java_support.toolchain import JVM_FLAGS, JavaSetupError, ensure_cache, find_jdk
from taskaudit.mutation.base import MutationJob
from taskaudit.mutation.compiled_support.execute import (
    MAX_RENDERS,
    Schema,
    Scratch,
    drop_sites,
    in_order,
    rebuild_all,
    render_schema,
    switch_numbering,
    write_tree,
)
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
        carried, unknown = switch_numbering(cands, job.mutants)
        results: dict[str, MutantResult] = {}
        rebuild: list[Mutant] = list(unknown)
        why = "its site is not expressible in the schema"
        builds = 0
        for _ in range(MAX_RENDERS):
            if not carried:
                break
            builds += 1
            schema = render_schema(job.workspace, carried, wrap, _switch_class(job.workspace))
            outcome = _SchemaRun(job, schema).run()
            if outcome.built:
                results.update(outcome.results)
                break
            dropped, unexplained = drop_sites(schema, outcome.errors)
            if unexplained or not dropped:
                why = "the schema did not build: " + "; ".join(unexplained or [outcome.detail])[:500]
                rebuild.extend(m for _, m in sorted(schema.switch_ids.items()))
                carried = []
                break
            rebuild.extend(schema.switch_ids[i] for i in sorted(dropped))
            carried = [(i, c) for i, c in carried if i not in dropped]
            why = "its schema site did not compile"
        else:
            rebuild.extend(c.mutant for _, c in carried)
        if builds:
            job.notes.append(f"Java: {len(carried)} mutants compiled behind one switch ({builds} schema build(s)), "
                             "run in a warm loop on the tests that reach them")
            job.stats["schema_builds"] = float(builds)
        for r in rebuild_all(job, rebuild, why):
            results[r.mutant.id] = r
        return in_order(job.mutants, results)


def _switch_class(workspace: dict[str, bytes]):
    def extra(schema_files: dict[str, bytes]) -> dict[str, bytes]:
        root = "src/main/java/" if "pom.xml" in workspace else ""
        return {root + SWITCH_PATH: SWITCH_SOURCE.encode()}

    return extra


@dataclass
class _Outcome:
    built: bool
    results: dict[str, MutantResult] = field(default_factory=dict)
    errors: list[tuple[str, int, int, str]] = field(default_factory=list)
    detail: str = ""


class _SchemaRun:
    def __init__(self, job: MutationJob, schema: Schema) -> None:
        self.job, self.schema = job, schema

    def run(self) -> _Outcome:
        scratch = Scratch.create()
        try:
            return self._run(scratch)
        finally:
            scratch.remove()

    def _run(self, scratch: Scratch) -> _Outcome:
        job = self.job
        jdk, problem = find_jdk()
        if jdk is None:
            return self._error(f"no usable JDK: {problem}")
        try:
            cache = ensure_cache(jdk)
            driver = ensure_driver(jdk, cache)
        except (JavaSetupError, RuntimeError, OSError) as exc:
            return self._error(str(exc))
        write_tree(scratch.app, {**job.workspace, **self.schema.files})
        write_tree(scratch.tests, job.task.test_files)
        prepared = JavaLanguage().prepare(scratch.app, scratch.tests, scratch.results)
        if getattr(prepared, "infra_error", None) or getattr(prepared, "build_error", None):
            return self._error(prepared.infra_error or prepared.build_error)
        junit = str(cache.junit_jar)
        remaining = sorted(self.schema.switch_ids)
        results: dict[str, MutantResult] = {}
        coverage: dict[str, list[str]] = {}  # readable unit id -> ids it reaches
        jvms = 0
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
                    "--ids", f"{HARNESS}/ids.txt", "--out", out_name]
            limits = limits_for(job.task)
            wall = 120.0 + 4 * job.reference.duration_sec + 12.0 * len(remaining)
            process = job.sandbox.run(SandboxRequest(
                argv=argv, cwd="/app",
                mounts=[*prepared.mounts, Mount(host=scratch.harness, target=HARNESS),
                        Mount(host=driver.parent, target=str(driver.parent))],
                env=prepared.env, limits=Limits(**{**limits.__dict__, "wall_seconds": wall}),
                address_space_ok=False))
            if process.sandbox_error:
                return self._error(f"sandbox failed: {process.sandbox_error}")
            lines = _lines(scratch.results / out_name)
            for line in lines:
                if "build_error" in line:
                    errors = [(e.get("file", ""), int(e.get("line", 0)), int(e.get("column", 0)), e.get("message", ""))
                              for e in line["build_error"]]
                    return _Outcome(False, errors=errors, detail="; ".join(e[3] for e in errors)[:1500])
                if "error" in line:
                    return self._error(f"the Java mutation driver failed: {line['error']}")
            units = [ln for ln in lines if "unit" in ln]
            names = test_ids([(u["cls"], u["name"]) for u in units])
            for u in units:
                if u["passed"]:
                    coverage[names[(u["cls"], u["name"])]] = u["ids"]
            started: int | None = None
            done_now: list[int] = []
            for line in lines:
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
                                                      detail=f"the tests ran past their limit ({line.get('ms')} ms)",
                                                      duration_ms=float(line.get("ms", 0)))
                else:
                    tests = [tuple(t) for t in line.get("tests", [])]
                    ids = test_ids([(c, n) for c, n, _ in tests])
                    killed = sorted({ids[(c, n)] for c, n, o in tests if o in ("failed", "error")})
                    outcome = Outcome.KILLED if killed else Outcome.SURVIVED
                    results[mutant.id] = MutantResult(mutant, outcome, killed_by=killed, covered_by=covered,
                                                      duration_ms=round(float(line.get("ms", 0)), 2))
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
        for i in remaining:
            mutant = self.schema.switch_ids[i]
            results[mutant.id] = MutantResult(mutant, Outcome.ERROR, detail="the warm JVM ended before this mutant ran")
        return _Outcome(True, results)

    def _error(self, why: str) -> _Outcome:
        return _Outcome(True, {m.id: MutantResult(m, Outcome.ERROR, detail=why[:1500])
                               for m in self.schema.switch_ids.values()})


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
