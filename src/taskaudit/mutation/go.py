"""Go mutation backend: tree-sitter operators, one schema build per task (``go test -c``), a warm
loop running the prebuilt test binary once per mutant with ``TASKAUDIT_MUTANT`` set, only the
tests the dry run saw reach it. See ``docs/mutation-compiled.md``.

The language runner (``languages/go_support``) prepares the sandbox exactly as for a normal run
(mounts, offline module cache, prewarmed build cache); only the command differs.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from taskaudit.languages.go_support.harness import RESULTS, WORKSPACE
from taskaudit.languages.go_support.results import parse_stream
from taskaudit.languages.go_support.source import package_name
from taskaudit.languages.go_support.workspace import GoPreparedRun, prepare
from taskaudit.model import Outcome as TestOutcome
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
    HIT_FACTOR,
    HIT_FLOOR,
    Entry,
    loop_wall,
    mutant_entry,
    read_output,
    record_stats,
    run_loop,
)
from taskaudit.mutation.compiled_support.outcomes import judge
from taskaudit.mutation.go_support import operators
from taskaudit.mutation.go_support.schema import (
    BUILD_AND_LIST,
    SWITCH_FILE,
    package_tag,
    switch_source,
    wrap,
)
from taskaudit.mutation.model import MutantResult
from taskaudit.runner import limits_for
from taskaudit.sandbox.base import Limits, Mount, SandboxRequest

HARNESS = "/taskaudit-mutation"
_ERROR = re.compile(r"^(?:\./)?(\S+?\.go):(\d+):(\d+): (.*)$", re.MULTILINE)


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
        return execute_schema(job, "Go", cands, wrap, _switch_files(job.workspace),
                              _SchemaRun)


def _switch_files(workspace: dict[str, bytes]):
    def extra(schema_files: dict[str, bytes]) -> dict[str, bytes]:
        out = {}
        for path in schema_files:
            directory = PurePosixPath(path).parent
            name = package_name(workspace[path]) or "main"
            target = SWITCH_FILE if str(directory) == "." else f"{directory}/{SWITCH_FILE}"
            out[target] = switch_source(name, package_tag(path)).encode()
        return out

    return extra


class _SchemaRun(SchemaRun):
    """One schema: build and list (run 1), the coverage dry run (run 2), the warm loop (run 3)."""

    def _request(self, prepared: GoPreparedRun, scratch: Scratch, argv: list[str], wall: float,
                 extra: list[Mount] = ()) -> SandboxRequest:
        limits = limits_for(self.job.task)
        limits = Limits(**{**limits.__dict__, "wall_seconds": wall})
        return SandboxRequest(
            argv=argv,
            cwd="/app",
            mounts=[*prepared.mounts, Mount(host=scratch.harness, target=HARNESS), *extra],
            env=dict(prepared.env),
            limits=limits,
            address_space_ok=False,
        )

    def run_in(self, scratch: Scratch) -> SchemaOutcome:
        job = self.job
        write_tree(scratch.app, {**job.workspace, **self.schema.files})
        write_tree(scratch.tests, job.task.test_files)
        prepared = prepare(scratch.app, scratch.tests, scratch.results)
        if prepared.problem:
            return errored(self.schema, f"could not prepare the Go run: {prepared.problem}")
        (scratch.harness / "build.sh").write_text(BUILD_AND_LIST)
        packages = prepared.packages
        build_wall = max(120.0, 4 * job.reference.duration_sec + 60 + 2 * len(job.reference.tests))
        process = job.sandbox.run(self._request(
            prepared, scratch, ["/bin/sh", f"{HARNESS}/build.sh", *[p.dir for p in packages]], build_wall))
        if process.sandbox_error:
            return errored(self.schema, f"sandbox failed: {process.sandbox_error}")
        if process.exit_code == 3:
            logs = "\n".join(
                (scratch.results / f"build-{i}.log").read_text(errors="replace")
                for i in range(len(packages)) if (scratch.results / f"build-{i}.log").exists())
            errors = [(str(PurePosixPath(m[1])), int(m[2]), int(m[3]), m[4]) for m in _ERROR.finditer(logs)]
            return SchemaOutcome(False, errors=errors, detail=logs[-1500:])
        if process.exit_code != 0 or process.timed_out:
            return errored(self.schema, f"the schema's build failed (exit {process.exit_code}, "
                                        f"limit {process.limit_hit}): {process.stderr[-800:].decode(errors='replace')}")

        def loop(entries: list[Entry], name: str, wall: float):
            return run_loop(job.sandbox, lambda argv, w, extra: self._request(prepared, scratch, argv, w, extra),
                            scratch.harness, HARNESS, scratch.results, RESULTS, entries, name, wall)

        def binary(i: int) -> str:
            return f"{RESULTS}/bin/{i}.test"

        def cwd(i: int) -> str:
            return str(PurePosixPath(WORKSPACE) / packages[i].dir)

        # Run 2, the dry run: each test alone, the switches recording which mutants it reaches.
        cover: list[Entry] = []
        names: dict[str, tuple[int, str]] = {}
        for i, _ in enumerate(packages):
            listed = read_output(scratch.results / f"list-{i}.txt").decode(errors="replace").split()
            for n, name in enumerate(t for t in listed if t.startswith("Test")):
                key = f"cov-{i}-{n}"
                names[key] = (i, name)
                cover.append(Entry(key, [binary(i), "-test.run", f"^{name}$", "-test.v=test2json", "-test.count=1"],
                                   cwd(i), f"{RESULTS}/{key}.out",
                                   env={"TASKAUDIT_MUTANT_COVERAGE": f"{RESULTS}/{key}.ids"}))
        dry = loop(cover, "coverage", max(120.0, 4 * job.reference.duration_sec + 60 + 2 * len(cover)))
        if dry.process.sandbox_error:
            return errored(self.schema, f"sandbox failed: {dry.process.sandbox_error}")
        covering: dict[int, list[tuple[int, str]]] = {}
        calls: dict[tuple[int, str], dict[str, int]] = {}  # test -> package -> switch calls (at least half)
        for key, (i, name) in names.items():
            record = dry.records.get(key)
            result = parse_stream(read_output(scratch.results / f"{key}.out")).results.get(name)
            if record is None or result is None or result[0] != TestOutcome.PASSED:
                continue  # fails (or never ran) without any mutant: it judges none
            ids, calls[(i, name)] = read_coverage(read_output(scratch.results / f"{key}.ids").decode(errors="replace"))
            for switch in ids:
                covering.setdefault(switch, []).append((i, name))

        # Run 3, the warm loop: per mutant and package, only the tests that reach it.
        results: dict[str, MutantResult] = {}
        plan: list[Entry] = []
        planned: dict[int, list[int]] = {}
        for switch, mutant in sorted(self.schema.switch_ids.items()):
            tests = covering.get(switch, [])
            if not tests:
                results[mutant.id] = no_coverage(mutant)
                continue
            tag = package_tag(mutant.file)
            for i in sorted({t[0] for t in tests}):
                names_i = sorted({t[1] for t in tests if t[0] == i})
                regex = f"^({'|'.join(names_i)})$"
                entry = mutant_entry(f"m-{switch}-{i}", switch, [
                    binary(i), "-test.run", regex, "-test.v=test2json", "-test.paniconexit0", "-test.count=1",
                ], cwd(i), f"{RESULTS}/m-{switch}-{i}.out")
                # The hit limit: the switch calls these tests made in the mutant's package.
                limit = HIT_FACTOR * 2 * sum(calls[(i, n)].get(tag, 0) for n in names_i) + HIT_FLOOR
                entry.hit_file = entry.out + ".hits"
                entry.env.update({"TASKAUDIT_MUTANT_HIT_PACKAGE": tag, "TASKAUDIT_MUTANT_HIT_LIMIT": str(limit),
                                  "TASKAUDIT_MUTANT_HIT_FILE": entry.hit_file})
                entry.reference_env = {**(entry.reference_env or {}), "TASKAUDIT_MUTANT_HIT_LIMIT": ""}
                plan.append(entry)
                planned.setdefault(switch, []).append(i)
        if plan:
            warm = loop(plan, "loop", loop_wall(plan, job.reference.duration_sec))
            if warm.process.sandbox_error:
                return errored(self.schema, f"sandbox failed: {warm.process.sandbox_error}")
            record_stats(job.stats, list(warm.records.values()), warm)
            for switch, pkgs in planned.items():
                mutant = self.schema.switch_ids[switch]
                covered = sorted(f"{packages[t[0]].prefix}::{t[1]}" for t in covering[switch])
                runs = [(packages[i].prefix, warm.records.get(f"m-{switch}-{i}"), scratch.results / f"m-{switch}-{i}.out")
                        for i in pkgs]
                results[mutant.id] = judge(mutant, covered, runs, _read)
        return SchemaOutcome(True, results)


def read_coverage(text: str) -> tuple[set[int], dict[str, int]]:
    """A dry-run coverage file (``go_support/schema.py``'s switch) -> (the switch ids the test
    reached, {package: its switch calls}: the last ``H`` line, at least half the real count)."""
    ids: set[int] = set()
    calls: dict[str, int] = {}
    for line in text.splitlines():
        if line.isdigit():
            ids.add(int(line))
        elif line.startswith("H "):
            count, _, tag = line[2:].partition(" ")
            if count.isdigit():
                calls[tag] = int(count)
    return ids, calls


def _read(prefix: str, output: bytes, status: int) -> tuple[list[str], str]:
    """The failing tests of one test-binary run, and what it said if it died without one."""
    stream = parse_stream(output)
    failed = [f"{prefix}::{name}" for name, (o, _) in stream.results.items() if o == TestOutcome.FAILED]
    text = output.decode(errors="replace")
    lines = [ln for ln in text.splitlines() if ln.startswith(("panic:", "fatal error:", "runtime:"))]
    return failed, (lines[0][:300] if lines else text[-300:].strip())
