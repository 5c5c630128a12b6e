"""Rust mutation backend: tree-sitter operators, one schema build per task (``cargo test
--no-run``), then a warm loop running the prebuilt test binaries once per mutant with
``TASKAUDIT_MUTANT`` set, only the tests the dry run saw reach it. See
``docs/mutation-compiled.md``.

A schema's build, test list, coverage dry run and warm loop run in *one* sandboxed process
(``rust_support/driver.py``): a sandbox start costs 50-90 ms and a small task's whole run is
about a third of a second. The host decides everything before (the schema, the limits) and judges
everything after, from the files the driver leaves (the same rules as the Go backend).

The language runner (``languages/rust_support/run.py``) prepares the sandbox exactly as for a
normal run (sanitised manifest, vendored dependencies, toolchain mounts); only the commands
differ. Per-test results come from its libtest parser.
"""

from __future__ import annotations

import json
from dataclasses import replace

from taskaudit.languages.rust_support.layout import TestLayout, rel_files
from taskaudit.languages.rust_support.results import parse_cargo_output
from taskaudit.languages.rust_support.run import prepare
from taskaudit.model import Outcome as TestOutcome
from taskaudit.model import RunStatus
from taskaudit.mutation.base import MutationJob
from taskaudit.mutation.compiled_support.execute import (
    SchemaOutcome,
    SchemaRun,
    Scratch,
    errored,
    execute_schema,
    no_coverage,
    write_tree,
)
from taskaudit.mutation.compiled_support.loop import (
    FACTOR,
    FLOOR_MS,
    HIT_FACTOR,
    HIT_FLOOR,
    LOOP_SCRIPT,
    WALL_SLACK,
    Entry,
    interpreter,
    loop_wall,
    parse_loop_output,
    read_output,
    record_stats,
)
from taskaudit.mutation.compiled_support.outcomes import judge
from taskaudit.mutation.model import MutantResult
from taskaudit.mutation.rust_support import operators
from taskaudit.mutation.rust_support.schema import (
    DRIVER,
    MODULE_DECL,
    MODULE_FILE,
    MODULE_SOURCE,
    wrap,
)
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
        no_schema = "" if CRATE_ROOT in job.workspace else "the crate has no src/lib.rs to hold the schema's switch"
        return execute_schema(job, "Rust", cands, wrap, _switch_module(job.workspace),
                              _SchemaRun, no_schema)


def _switch_module(workspace: dict[str, bytes]):
    def extra(schema_files: dict[str, bytes]) -> dict[str, bytes]:
        root = schema_files.get(CRATE_ROOT, workspace[CRATE_ROOT])
        return {CRATE_ROOT: root + MODULE_DECL.encode(), MODULE_FILE: MODULE_SOURCE.encode()}

    return extra


class _SchemaRun(SchemaRun):
    """One schema: build, list, per-test coverage and the warm loop, in one sandboxed process."""

    def _request(self, scratch: Scratch, argv: list[str], wall: float, extra: list[Mount] = ()) -> SandboxRequest:
        limits = limits_for(self.job.task)
        return SandboxRequest(
            argv=argv,
            cwd="/app",
            # Only the results come back: the workspace the build wrote in is not read again.
            mounts=[*(replace(m, copy_back=False) if m.writable else m for m in self.prepared.mounts),
                    Mount(host=scratch.harness, target=HARNESS),
                    Mount(host=scratch.results, target=RESULTS, writable=True), *extra],
            env={**self.prepared.env, "TASKAUDIT_RESULTS": RESULTS, "TASKAUDIT_APP": "/app"},
            limits=Limits(**{**limits.__dict__, "wall_seconds": wall}),
            address_space_ok=False,
        )

    def run_in(self, scratch: Scratch) -> SchemaOutcome:
        job = self.job
        write_tree(scratch.app, {**job.workspace, **self.schema.files})
        write_tree(scratch.tests, job.task.test_files)
        self.prepared = prepare(scratch.app, scratch.tests, scratch.results)
        argv = self.prepared.argv
        if argv[0] != "/bin/sh" or "--" not in argv:
            return errored(self.schema, "could not prepare the Rust run (the language runner refused it)")
        cargo = argv[3 : argv.index("--")]
        layout = TestLayout.of(rel_files(scratch.tests))

        # The one sandboxed run (rust_support/driver.py): one build of every test target with
        # the schema compiled in, the tests of each binary, the coverage dry run (each test
        # alone, the switches recording which mutants it reaches), then the warm loop (per
        # mutant and test binary, only the tests that reach it).
        build_wall = max(300.0, 6 * job.reference.duration_sec + 120)
        most_runs = len(self.schema.switch_ids) * len(layout.targets)
        # The limits of the four separate runs this replaced, added: build, dry run (each
        # build_wall) and the loop (loop_wall, for at most one run per mutant and binary).
        wall = 2 * build_wall + loop_wall([Entry("", [], "", "")] * most_runs, job.reference.duration_sec)
        python, mounts = interpreter()
        (scratch.harness / "warm_loop.py").write_bytes(LOOP_SCRIPT.read_bytes())
        (scratch.harness / "driver.py").write_bytes(DRIVER.read_bytes())
        (scratch.harness / "run.json").write_text(json.dumps({
            "cargo": [*cargo, "--no-run", "--message-format=json"], "targets": list(layout.targets),
            "app": "/app", "results": RESULTS, "switches": sorted(self.schema.switch_ids),
            "factor": FACTOR, "floor_ms": FLOOR_MS, "wall_slack": WALL_SLACK,
            "hit_factor": HIT_FACTOR, "hit_floor": HIT_FLOOR}))
        process = job.sandbox.run(self._request(scratch, [
            python, "-I", "-S", "-B", f"{HARNESS}/driver.py", f"{HARNESS}/run.json"], wall, list(mounts)))
        if process.sandbox_error:
            return errored(self.schema, f"sandbox failed: {process.sandbox_error}")
        try:
            built = json.loads(read_output(scratch.results / "driver.json"))
        except ValueError:
            built = None
        if not isinstance(built, dict):
            return errored(self.schema, f"the Rust mutation run stopped before the build ended (exit {process.exit_code}, "
                                        f"limit {process.limit_hit}): {process.stderr[-800:].decode(errors='replace')}")
        if built["cargo_exit"] != 0:
            errors = _compiler_errors(read_output(scratch.results / "cargo.jsonl", 256 << 20))
            if errors:
                return SchemaOutcome(False, errors=errors)
            return errored(self.schema, f"cargo test --no-run failed (exit {built['cargo_exit']}): "
                                        f"{process.stderr[-800:].decode(errors='replace')}")
        executables: dict[str, str] = built["executables"]
        targets = [name for name in layout.targets if name in executables]
        if len(targets) != len(layout.targets):
            return errored(self.schema, f"cargo built no test binary for {sorted(set(layout.targets) - set(targets))}")
        try:
            plan = json.loads(read_output(scratch.results / "loop-plan.json"))
        except ValueError:
            plan = None
        if not isinstance(plan, list):
            why = "listing the tests failed" if process.exit_code == 5 else "the coverage dry run did not finish"
            return errored(self.schema, f"{why} (exit {process.exit_code}, limit {process.limit_hit}): "
                                        f"{process.stderr[-500:].decode(errors='replace')}")

        # Which tests reach each switch, as the driver found in its dry run.
        try:
            found = json.loads(read_output(scratch.results / "covering.json"))
        except ValueError:
            found = {}
        covering: dict[int, list[tuple[int, str]]] = {
            int(switch): [(int(i), str(name)) for i, name in tests] for switch, tests in found.items()}

        # The warm loop's records, per mutant and test binary the driver planned.
        warm = parse_loop_output(read_output(scratch.results / "loop.jsonl"), process)
        planned: dict[int, list[int]] = {}
        for entry in plan:
            _, switch, i = entry["key"].split("-")
            planned.setdefault(int(switch), []).append(int(i))
        if plan:
            record_stats(job.stats, list(warm.records.values()), warm)
        results: dict[str, MutantResult] = {}
        for switch, mutant in sorted(self.schema.switch_ids.items()):
            if switch not in planned:
                results[mutant.id] = no_coverage(mutant)
                continue
            covered = sorted(f"{layout.paths[targets[t[0]]]}::{t[1]}" for t in covering.get(switch, []))
            runs = [(layout.paths[targets[i]], warm.records.get(f"m-{switch}-{i}"),
                     scratch.results / f"m-{switch}-{i}.out") for i in planned[switch]]
            results[mutant.id] = judge(mutant, covered, runs, _read)
        return SchemaOutcome(True, results)


def _compiler_errors(cargo_jsonl: bytes) -> list[tuple[str, int, int, str]]:
    """(file, line, column, message) of each compiler error in cargo's JSON messages."""
    errors: list[tuple[str, int, int, str]] = []
    for line in cargo_jsonl.decode(errors="replace").splitlines():
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if isinstance(msg, dict) and msg.get("reason") == "compiler-message" \
                and msg.get("message", {}).get("level") == "error":
            spans = [s for s in msg["message"].get("spans", []) if s.get("is_primary")]
            for s in spans[:1]:
                errors.append((s["file_name"], s["line_start"], s["column_start"], msg["message"].get("message", "")))
    return errors


def _read(source: str, output: bytes, status: int) -> tuple[list[str], str]:
    """The failing tests of one test-binary run (libtest's output), and what it said if it died."""
    text = f"     Running {source} (taskaudit warm loop)\n" + output.decode(errors="replace")
    parsed = parse_cargo_output(text, status, [source])
    failed = [t.test_id for t in parsed.tests if t.outcome == TestOutcome.FAILED]
    return failed, ("" if parsed.status == RunStatus.COMPLETED else parsed.detail[:300])
