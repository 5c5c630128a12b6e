"""Go mutation backend: tree-sitter operators, one schema build per task (``go test -c``), a warm
loop running the prebuilt test binary once per mutant with ``TASKAUDIT_MUTANT`` set, only the
tests the dry run saw reach it. See ``docs/mutation-compiled.md``.

The language runner (``languages/go_support``) prepares the sandbox exactly as for a normal run
(mounts, offline module cache, prewarmed build cache); only the command differs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from taskaudit.languages.go_support.results import parse_stream
from taskaudit.languages.go_support.source import package_name
from taskaudit.languages.go_support.workspace import GoPreparedRun, prepare
from taskaudit.model import Outcome as TestOutcome
from taskaudit.mutation.base import MutationJob
from taskaudit.mutation.compiled_support.execute import (
    MAX_RENDERS,
    Schema,
    Scratch,
    drop_sites,
    in_order,
    no_coverage,
    rebuild_all,
    render_schema,
    switch_numbering,
    write_tree,
)
from taskaudit.mutation.go_support import operators
from taskaudit.mutation.go_support.schema import BUILD_AND_COVER, LOOP, SWITCH_FILE, SWITCH_SOURCE, wrap
from taskaudit.mutation.model import Mutant, MutantResult, Outcome
from taskaudit.runner import limits_for
from taskaudit.sandbox.base import Limits, Mount, SandboxRequest

HARNESS = "/taskaudit-mutation"
_ERROR = re.compile(r"^(?:\./)?(\S+?\.go):(\d+):(\d+): (.*)$", re.M)


class GoMutation:
    language = "go"
    strategy = "schemata+warm-loop"

    def generate(self, files: dict[str, bytes], paths: list[str]) -> list:
        mutants = []
        for path in sorted(paths):
            if path.endswith(".go") and not path.endswith("_test.go") and path in files:
                mutants.extend(c.mutant for c in operators.candidates(path, files[path]))
        return mutants

    def execute(self, job: MutationJob) -> list[MutantResult]:
        files = sorted({m.file for m in job.mutants})
        cands = [c for path in files if path in job.workspace for c in operators.candidates(path, job.workspace[path])]
        carried, unknown = switch_numbering(cands, job.mutants)
        results: dict[str, MutantResult] = {}
        rebuild: list[Mutant] = list(unknown)
        why = "its site is not expressible in the schema"
        builds = 0
        for _ in range(MAX_RENDERS):
            if not carried:
                break
            builds += 1
            schema = render_schema(job.workspace, carried, wrap, _switch_files(job.workspace))
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
            job.notes.append(f"Go: {len(carried)} mutants compiled behind one switch ({builds} schema build(s)), "
                             "run in a warm loop on the tests that reach them")
            job.stats["schema_builds"] = float(builds)
        for r in rebuild_all(job, rebuild, why):
            results[r.mutant.id] = r
        return in_order(job.mutants, results)


def _switch_files(workspace: dict[str, bytes]):
    def extra(schema_files: dict[str, bytes]) -> dict[str, bytes]:
        out = {}
        for path in schema_files:
            directory = PurePosixPath(path).parent
            name = package_name(workspace[path]) or "main"
            target = SWITCH_FILE if str(directory) == "." else f"{directory}/{SWITCH_FILE}"
            out[target] = SWITCH_SOURCE.format(package=name).encode()
        return out

    return extra


@dataclass
class _Outcome:
    built: bool
    results: dict[str, MutantResult] = field(default_factory=dict)
    errors: list[tuple[str, int, int, str]] = field(default_factory=list)
    detail: str = ""


class _SchemaRun:
    """One schema: build + coverage (run 1), then the warm loop (run 2)."""

    def __init__(self, job: MutationJob, schema: Schema) -> None:
        self.job, self.schema = job, schema

    def run(self) -> _Outcome:
        scratch = Scratch.create()
        try:
            return self._run(scratch)
        finally:
            scratch.remove()

    def _request(self, prepared: GoPreparedRun, scratch: Scratch, argv: list[str], wall: float,
                 env: dict[str, str] | None = None) -> SandboxRequest:
        limits = limits_for(self.job.task)
        limits = Limits(**{**limits.__dict__, "wall_seconds": wall})
        return SandboxRequest(
            argv=argv,
            cwd="/app",
            mounts=[*prepared.mounts, Mount(host=scratch.harness, target=HARNESS)],
            env={**prepared.env, **(env or {})},
            limits=limits,
            address_space_ok=False,
        )

    def _run(self, scratch: Scratch) -> _Outcome:
        job = self.job
        write_tree(scratch.app, {**job.workspace, **self.schema.files})
        write_tree(scratch.tests, job.task.test_files)
        prepared = prepare(scratch.app, scratch.tests, scratch.results)
        if prepared.problem:
            return self._error(f"could not prepare the Go run: {prepared.problem}")
        (scratch.harness / "build.sh").write_text(BUILD_AND_COVER)
        (scratch.harness / "loop.sh").write_text(LOOP)
        packages = prepared.packages
        build_wall = max(120.0, 4 * job.reference.duration_sec + 60 + 2 * len(job.reference.tests))
        process = job.sandbox.run(self._request(
            prepared, scratch, ["/bin/sh", f"{HARNESS}/build.sh", *[p.dir for p in packages]], build_wall))
        if process.sandbox_error:
            return self._error(f"sandbox failed: {process.sandbox_error}")
        if process.exit_code == 3:
            logs = "\n".join(
                (scratch.results / f"build-{i}.log").read_text(errors="replace")
                for i in range(len(packages)) if (scratch.results / f"build-{i}.log").exists())
            errors = []
            for m in _ERROR.finditer(logs):
                path = str(PurePosixPath(m[1]))
                errors.append((path, int(m[2]), int(m[3]), m[4]))
            return _Outcome(False, errors=errors, detail=logs[-1500:])
        if process.exit_code != 0 or process.timed_out:
            return self._error(f"the schema's build and coverage run failed (exit {process.exit_code}, "
                               f"limit {process.limit_hit}): {process.stderr[-800:].decode(errors='replace')}")

        # Coverage: which top-level tests reach which switch ids, and their own time.
        covering: dict[int, list[tuple[int, str, float]]] = {}
        skipped: list[str] = []
        for i, package in enumerate(packages):
            n = 1
            while (scratch.results / f"cov-{i}-{n}.name").exists():
                name = (scratch.results / f"cov-{i}-{n}.name").read_text().strip()
                stream = parse_stream(_read(scratch.results / f"cov-{i}-{n}.out"))
                result = stream.results.get(name)
                if result is None or result[0] != TestOutcome.PASSED:
                    skipped.append(f"{package.prefix}::{name}")  # fails without any mutant
                else:
                    ids_text = _read(scratch.results / f"cov-{i}-{n}.ids").decode(errors="replace")
                    for token in ids_text.split():
                        if token.isdigit():
                            covering.setdefault(int(token), []).append((i, name, result[1]))
                n += 1

        results: dict[str, MutantResult] = {}
        plan: list[str] = []
        planned: dict[int, list[int]] = {}
        for switch, mutant in sorted(self.schema.switch_ids.items()):
            tests = covering.get(switch, [])
            if not tests:
                results[mutant.id] = no_coverage(mutant)
                continue
            for i in sorted({t[0] for t in tests}):
                names = sorted({t[1] for t in tests if t[0] == i})
                own = sum(t[2] for t in tests if t[0] == i)
                limit = max(1, math.ceil(10 * own + 1))
                plan.append(f"{switch} {i} {packages[i].dir} {limit} ^({'|'.join(names)})$")
                planned.setdefault(switch, []).append(i)
        if plan:
            (scratch.harness / "plan.txt").write_text("\n".join(plan) + "\n")
            wall = 30.0 + sum(float(line.split()[3]) for line in plan)
            process = job.sandbox.run(self._request(
                prepared, scratch, ["/bin/bash", f"{HARNESS}/loop.sh"], wall,
                {"TASKAUDIT_PLAN": f"{HARNESS}/plan.txt"}))
            if process.sandbox_error:
                return self._error(f"sandbox failed: {process.sandbox_error}")
            for switch, pkgs in planned.items():
                mutant = self.schema.switch_ids[switch]
                covered = sorted(f"{packages[t[0]].prefix}::{t[1]}" for t in covering[switch])
                results[mutant.id] = _classify(mutant, covered, [
                    (packages[i].prefix, scratch.results / f"m-{switch}-{i}.out",
                     scratch.results / f"m-{switch}-{i}.status") for i in pkgs])
        # Per-mutant cost: the build, the dry run and the loop shared by the mutants run.
        # Each mutant's own time in the warm loop (the shared build is not in it).
        for switch, pkgs in planned.items():
            us = sum(int(_text(scratch.results / f"m-{switch}-{i}.us") or 0) for i in pkgs)
            results[self.schema.switch_ids[switch].id].duration_ms = round(us / 1e3, 2)
        return _Outcome(True, results)

    def _error(self, why: str) -> _Outcome:
        return _Outcome(True, {m.id: MutantResult(m, Outcome.ERROR, detail=why[:1500])
                               for m in self.schema.switch_ids.values()})


def _text(path: Path) -> str:
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()[: 8 << 20]
    except OSError:
        return b""


def _classify(mutant: Mutant, covered: list[str], runs: list[tuple[str, Path, Path]]) -> MutantResult:
    """A mutant's outcome from its test binary runs (one per package whose tests reach it)."""
    killed: list[str] = []
    crash = timeout = ""
    for prefix, out_path, status_path in runs:
        status_text = _read(status_path).decode().strip()
        if not status_text.lstrip("-").isdigit():
            return MutantResult(mutant, Outcome.ERROR, covered_by=covered,
                                detail="the warm loop ended before this mutant ran (its limit was reached)")
        status = int(status_text)
        data = _read(out_path)
        stream = parse_stream(data)
        text = data.decode(errors="replace")
        if "panic: test timed out after" in text:
            timeout = re.search(r"panic: test timed out after \S+", text)[0]
            continue
        failed = [f"{prefix}::{name}" for name, (o, _) in stream.results.items() if o == TestOutcome.FAILED]
        killed.extend(failed)
        if status != 0 and not failed:
            lines = [ln for ln in text.splitlines() if ln.startswith(("panic:", "fatal error:", "runtime:"))]
            crash = f"exit status {status}: " + (lines[0][:300] if lines else text[-300:].strip())
    if timeout:
        return MutantResult(mutant, Outcome.TIMEOUT, covered_by=covered, detail=timeout)
    if killed:
        return MutantResult(mutant, Outcome.KILLED, killed_by=sorted(killed), covered_by=covered)
    if crash:
        return MutantResult(mutant, Outcome.CRASH, covered_by=covered, detail=crash)
    return MutantResult(mutant, Outcome.SURVIVED, covered_by=covered)
