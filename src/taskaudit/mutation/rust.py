"""Rust mutation backend: tree-sitter operators, one schema build per task (``cargo test
--no-run``), then a warm loop running the prebuilt test binaries once per mutant with
``TASKAUDIT_MUTANT`` set, only the tests the dry run saw reach it. See
``docs/mutation-compiled.md``.

The language runner (``languages/rust_support/run.py``) prepares the sandbox exactly as for a
normal run (sanitised manifest, vendored dependencies, toolchain mounts); only the commands
differ. Per-test results come from its libtest parser.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from taskaudit.languages.rust_support.layout import TestLayout, rel_files
from taskaudit.languages.rust_support.results import parse_cargo_output
from taskaudit.languages.rust_support.run import prepare
from taskaudit.model import Outcome as TestOutcome
from taskaudit.model import RunStatus
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
from taskaudit.mutation.model import Mutant, MutantResult, Outcome
from taskaudit.mutation.rust_support import operators
from taskaudit.mutation.rust_support.schema import COVER, LOOP, MODULE_DECL, MODULE_FILE, MODULE_SOURCE, wrap
from taskaudit.runner import limits_for
from taskaudit.sandbox.base import Limits, Mount, SandboxRequest

HARNESS = "/taskaudit-mutation"
RESULTS = "/results"
CRATE_ROOT = "src/lib.rs"


class RustMutation:
    language = "rust"
    strategy = "schemata+warm-loop"

    def generate(self, files: dict[str, bytes], paths: list[str]) -> list:
        mutants = []
        for path in sorted(paths):
            if path.endswith(".rs") and path.startswith("src/") and path in files:
                mutants.extend(c.mutant for c in operators.candidates(path, files[path]))
        return mutants

    def execute(self, job: MutationJob) -> list[MutantResult]:
        files = sorted({m.file for m in job.mutants})
        cands = [c for p in files if p in job.workspace for c in operators.candidates(p, job.workspace[p])]
        carried, unknown = switch_numbering(cands, job.mutants)
        results: dict[str, MutantResult] = {}
        rebuild: list[Mutant] = list(unknown)
        why = "its site is not expressible in the schema"
        if CRATE_ROOT not in job.workspace:
            rebuild.extend(c.mutant for _, c in carried)
            carried, why = [], "the crate has no src/lib.rs to hold the schema's switch"
        builds = 0
        for _ in range(MAX_RENDERS):
            if not carried:
                break
            builds += 1
            schema = render_schema(job.workspace, carried, wrap, _switch_module(job.workspace))
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
            job.notes.append(f"Rust: {len(carried)} mutants compiled behind one switch ({builds} schema build(s)), "
                             "run in a warm loop on the tests that reach them")
            job.stats["schema_builds"] = float(builds)
        for r in rebuild_all(job, rebuild, why):
            results[r.mutant.id] = r
        return in_order(job.mutants, results)


def _switch_module(workspace: dict[str, bytes]):
    def extra(schema_files: dict[str, bytes]) -> dict[str, bytes]:
        root = schema_files.get(CRATE_ROOT, workspace[CRATE_ROOT])
        return {CRATE_ROOT: root + MODULE_DECL.encode(), MODULE_FILE: MODULE_SOURCE.encode()}

    return extra


@dataclass
class _Outcome:
    built: bool
    results: dict[str, MutantResult] = field(default_factory=dict)
    errors: list[tuple[str, int, int, str]] = field(default_factory=list)
    detail: str = ""


class _SchemaRun:
    """One schema: build (run 1), per-test coverage (run 2), the warm loop (run 3)."""

    def __init__(self, job: MutationJob, schema: Schema) -> None:
        self.job, self.schema = job, schema

    def run(self) -> _Outcome:
        scratch = Scratch.create()
        try:
            return self._run(scratch)
        finally:
            scratch.remove()

    def _request(self, scratch: Scratch, argv: list[str], wall: float, env: dict[str, str] | None = None) -> SandboxRequest:
        limits = limits_for(self.job.task)
        return SandboxRequest(
            argv=argv,
            cwd="/app",
            mounts=[*self.prepared.mounts, Mount(host=scratch.harness, target=HARNESS),
                    Mount(host=scratch.results, target=RESULTS, writable=True)],
            env={**self.prepared.env, "TASKAUDIT_RESULTS": RESULTS, "TASKAUDIT_APP": "/app", **(env or {})},
            limits=Limits(**{**limits.__dict__, "wall_seconds": wall}),
            address_space_ok=False,
        )

    def _run(self, scratch: Scratch) -> _Outcome:
        job = self.job
        write_tree(scratch.app, {**job.workspace, **self.schema.files})
        write_tree(scratch.tests, job.task.test_files)
        self.prepared = prepare(scratch.app, scratch.tests, scratch.results)
        argv = self.prepared.argv
        if argv[0] != "/bin/sh" or "--" not in argv:
            return self._error("could not prepare the Rust run (the language runner refused it)")
        cargo = argv[3 : argv.index("--")]
        layout = TestLayout.of(rel_files(scratch.tests))
        (scratch.harness / "cover.sh").write_text(COVER)
        (scratch.harness / "loop.sh").write_text(LOOP)

        # Run 1: one build of every test target, with the schema compiled in.
        build_wall = max(300.0, 6 * job.reference.duration_sec + 120)
        process = job.sandbox.run(self._request(scratch, [*cargo, "--no-run", "--message-format=json"], build_wall))
        if process.sandbox_error:
            return self._error(f"sandbox failed: {process.sandbox_error}")
        executables: dict[str, str] = {}
        errors: list[tuple[str, int, int, str]] = []
        for line in process.stdout.decode(errors="replace").splitlines():
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("reason") == "compiler-artifact" and "test" in msg.get("target", {}).get("kind", []) \
                    and msg.get("executable"):
                executables[msg["target"]["name"]] = msg["executable"]
            elif msg.get("reason") == "compiler-message" and msg.get("message", {}).get("level") == "error":
                spans = [s for s in msg["message"].get("spans", []) if s.get("is_primary")]
                for s in spans[:1]:
                    errors.append((s["file_name"], s["line_start"], s["column_start"], msg["message"].get("message", "")))
        if process.exit_code != 0:
            if errors:
                return _Outcome(False, errors=errors)
            return self._error(f"cargo test --no-run failed (exit {process.exit_code}): "
                               f"{process.stderr[-800:].decode(errors='replace')}")
        targets = [name for name in layout.targets if name in executables]
        if len(targets) != len(layout.targets):
            return self._error(f"cargo built no test binary for {sorted(set(layout.targets) - set(targets))}")

        # Run 2: which tests reach which switch ids, and each test's own time.
        process = job.sandbox.run(self._request(
            scratch, ["/bin/bash", f"{HARNESS}/cover.sh", *[executables[t] for t in targets]], build_wall))
        if process.sandbox_error or process.exit_code != 0:
            return self._error(f"the coverage run failed (exit {process.exit_code}): "
                               f"{process.sandbox_error or process.stderr[-500:].decode(errors='replace')}")
        covering: dict[int, list[tuple[int, str, float]]] = {}
        for i, target in enumerate(targets):
            n = 1
            while (scratch.results / f"cov-{i}-{n}.name").exists():
                name = (scratch.results / f"cov-{i}-{n}.name").read_text().strip()
                status = _read(scratch.results / f"cov-{i}-{n}.status").strip()
                seconds = int(_read(scratch.results / f"cov-{i}-{n}.us").strip() or "0") / 1e6
                if status == "0":  # a test failing without any mutant kills nothing
                    for token in _read(scratch.results / f"cov-{i}-{n}.ids").split():
                        if token.isdigit():
                            covering.setdefault(int(token), []).append((i, name, seconds))
                n += 1

        # Run 3: the warm loop.
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
                plan.append(f"{switch} {i} {limit} {executables[targets[i]]} {' '.join(names)}")
                planned.setdefault(switch, []).append(i)
        if plan:
            (scratch.harness / "plan.txt").write_text("\n".join(plan) + "\n")
            wall = 30.0 + sum(float(line.split()[2]) for line in plan)
            process = job.sandbox.run(self._request(
                scratch, ["/bin/bash", f"{HARNESS}/loop.sh"], wall, {"TASKAUDIT_PLAN": f"{HARNESS}/plan.txt"}))
            if process.sandbox_error:
                return self._error(f"sandbox failed: {process.sandbox_error}")
            for switch, indexes in planned.items():
                mutant = self.schema.switch_ids[switch]
                covered = sorted(f"{layout.paths[targets[t[0]]]}::{t[1]}" for t in covering[switch])
                results[mutant.id] = _classify(mutant, covered, [
                    (layout.paths[targets[i]], scratch.results / f"m-{switch}-{i}.out",
                     scratch.results / f"m-{switch}-{i}.status") for i in indexes])
        # Each mutant's own time in the warm loop (the shared build is not in it).
        for switch, indexes in planned.items():
            us = sum(int(_text(scratch.results / f"m-{switch}-{i}.us") or 0) for i in indexes)
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


def _read(path: Path) -> str:
    try:
        return path.read_bytes()[: 8 << 20].decode(errors="replace")
    except OSError:
        return ""


def _classify(mutant: Mutant, covered: list[str], runs: list[tuple[str, Path, Path]]) -> MutantResult:
    killed: list[str] = []
    crash = timeout = ""
    for source, out_path, status_path in runs:
        status_text = _read(status_path).strip()
        if not status_text.isdigit():
            return MutantResult(mutant, Outcome.ERROR, covered_by=covered,
                                detail="the warm loop ended before this mutant ran")
        status = int(status_text)
        if status in (124, 137):  # killed by timeout(1)
            timeout = "the tests ran past their limit (derived from their own time) and were killed"
            continue
        output = f"     Running {source} (taskaudit warm loop)\n" + _read(out_path)
        parsed = parse_cargo_output(output, status, [source])
        failed = [t.test_id for t in parsed.tests if t.outcome == TestOutcome.FAILED]
        killed.extend(failed)
        if parsed.status != RunStatus.COMPLETED and not failed:
            crash = f"exit status {status}: {parsed.detail[:300]}"
    if timeout:
        return MutantResult(mutant, Outcome.TIMEOUT, covered_by=covered, detail=timeout)
    if killed:
        return MutantResult(mutant, Outcome.KILLED, killed_by=sorted(killed), covered_by=covered)
    if crash:
        return MutantResult(mutant, Outcome.CRASH, covered_by=covered, detail=crash)
    return MutantResult(mutant, Outcome.SURVIVED, covered_by=covered)
