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
    Entry,
    loop_wall,
    mutant_entry,
    read_output,
    record_stats,
    run_loop,
)
from taskaudit.mutation.compiled_support.outcomes import judge
from taskaudit.mutation.model import MutantResult
from taskaudit.mutation.rust_support import operators
from taskaudit.mutation.rust_support.schema import (
    LIST,
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
    """One schema: build (run 1), list and per-test coverage (runs 2, 3), the warm loop (run 4)."""

    def _request(self, scratch: Scratch, argv: list[str], wall: float, extra: list[Mount] = ()) -> SandboxRequest:
        limits = limits_for(self.job.task)
        return SandboxRequest(
            argv=argv,
            cwd="/app",
            mounts=[*self.prepared.mounts, Mount(host=scratch.harness, target=HARNESS),
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
        (scratch.harness / "list.sh").write_text(LIST)

        # Run 1: one build of every test target, with the schema compiled in.
        build_wall = max(300.0, 6 * job.reference.duration_sec + 120)
        # Cargo's messages go to a file: a schema's warnings can outgrow the captured stdout.
        process = job.sandbox.run(self._request(scratch, [
            "/bin/sh", "-c", f'exec "$@" > {RESULTS}/cargo.jsonl', "cargo",
            *cargo, "--no-run", "--message-format=json"], build_wall))
        if process.sandbox_error:
            return errored(self.schema, f"sandbox failed: {process.sandbox_error}")
        executables: dict[str, str] = {}
        errors: list[tuple[str, int, int, str]] = []
        for line in read_output(scratch.results / "cargo.jsonl", 256 << 20).decode(errors="replace").splitlines():
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
                return SchemaOutcome(False, errors=errors)
            return errored(self.schema, f"cargo test --no-run failed (exit {process.exit_code}): "
                                        f"{process.stderr[-800:].decode(errors='replace')}")
        targets = [name for name in layout.targets if name in executables]
        if len(targets) != len(layout.targets):
            return errored(self.schema, f"cargo built no test binary for {sorted(set(layout.targets) - set(targets))}")
        binaries = [executables[t] for t in targets]

        # Run 2: the tests of each binary.
        process = job.sandbox.run(self._request(scratch, ["/bin/bash", f"{HARNESS}/list.sh", *binaries], 120.0))
        if process.sandbox_error or process.exit_code != 0:
            return errored(self.schema, f"listing the tests failed (exit {process.exit_code}): "
                                        f"{process.sandbox_error or process.stderr[-500:].decode(errors='replace')}")

        def loop(entries: list[Entry], name: str, wall: float):
            return run_loop(job.sandbox, lambda argv, w, extra: self._request(scratch, argv, w, extra),
                            scratch.harness, HARNESS, scratch.results, RESULTS, entries, name, wall)

        def command(i: int, names: list[str]) -> list[str]:
            return [binaries[i], "--exact", *names, "--test-threads=1", "--color", "never"]

        # Run 3, the dry run: each test alone, the switches recording which mutants it reaches.
        cover: list[Entry] = []
        names: dict[str, tuple[int, str]] = {}
        for i, _ in enumerate(targets):
            listed = read_output(scratch.results / f"list-{i}.txt").decode(errors="replace").splitlines()
            for n, name in enumerate(line[: -len(": test")] for line in listed if line.endswith(": test")):
                key = f"cov-{i}-{n}"
                names[key] = (i, name)
                cover.append(Entry(key, command(i, [name]), "/app", f"{RESULTS}/{key}.out",
                                   env={"TASKAUDIT_MUTANT_COVERAGE": f"{RESULTS}/{key}.ids"}))
        dry = loop(cover, "coverage", build_wall)
        if dry.process.sandbox_error:
            return errored(self.schema, f"sandbox failed: {dry.process.sandbox_error}")
        covering: dict[int, list[tuple[int, str]]] = {}
        for key, (i, name) in names.items():
            record = dry.records.get(key)
            if record is None or record.get("status") != 0:  # a test failing without any mutant kills nothing
                continue
            for token in read_output(scratch.results / f"{key}.ids").decode(errors="replace").split():
                if token.isdigit():
                    covering.setdefault(int(token), []).append((i, name))

        # Run 4: the warm loop, per mutant and test binary only the tests that reach it.
        results: dict[str, MutantResult] = {}
        plan: list[Entry] = []
        planned: dict[int, list[int]] = {}
        for switch, mutant in sorted(self.schema.switch_ids.items()):
            tests = covering.get(switch, [])
            if not tests:
                results[mutant.id] = no_coverage(mutant)
                continue
            for i in sorted({t[0] for t in tests}):
                plan.append(mutant_entry(f"m-{switch}-{i}", switch, command(i, sorted({t[1] for t in tests if t[0] == i})),
                                         "/app", f"{RESULTS}/m-{switch}-{i}.out"))
                planned.setdefault(switch, []).append(i)
        if plan:
            warm = loop(plan, "loop", loop_wall(plan, job.reference.duration_sec))
            if warm.process.sandbox_error:
                return errored(self.schema, f"sandbox failed: {warm.process.sandbox_error}")
            record_stats(job.stats, list(warm.records.values()), warm)
            for switch, indexes in planned.items():
                mutant = self.schema.switch_ids[switch]
                covered = sorted(f"{layout.paths[targets[t[0]]]}::{t[1]}" for t in covering[switch])
                runs = [(layout.paths[targets[i]], warm.records.get(f"m-{switch}-{i}"),
                         scratch.results / f"m-{switch}-{i}.out") for i in indexes]
                results[mutant.id] = judge(mutant, covered, runs, _read)
        return SchemaOutcome(True, results)


def _read(source: str, output: bytes, status: int) -> tuple[list[str], str]:
    """The failing tests of one test-binary run (libtest's output), and what it said if it died."""
    text = f"     Running {source} (taskaudit warm loop)\n" + output.decode(errors="replace")
    parsed = parse_cargo_output(text, status, [source])
    failed = [t.test_id for t in parsed.tests if t.outcome == TestOutcome.FAILED]
    return failed, ("" if parsed.status == RunStatus.COMPLETED else parsed.detail[:300])
