"""The flow every compiled-language backend follows, with the language's pieces plugged in.

1. Render the schema: every mutant of the job that has a site, spliced into its file.
2. Run 1 in the sandbox: build once, list the tests, run each test once with coverage on (the
   switch points record the ids they reach). A build error inside a site drops that site (its
   mutants go to the rebuild path) and the schema is rendered again, a few times at most.
3. Run 2 in the sandbox: the warm loop, one process running the prebuilt tests per mutant,
   only the tests that reach it, each with a limit derived from those tests' own time.
4. Mutants that no schema could carry: one rebuild each (``mutation/rebuild.py``), or unviable.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from taskaudit.mutation.base import MutationJob
from taskaudit.mutation.compiled_support.schema import (
    Candidate,
    Site,
    Wrap,
    build_sites,
    numbered,
    render,
)
from taskaudit.mutation.model import Mutant, MutantResult, Outcome
from taskaudit.mutation.rebuild import rebuild_results

MAX_RENDERS = 6  # schema builds attempted before the remaining mutants all go to rebuilds


@dataclass
class Schema:
    """One rendering of the schema: the files to lay over the workspace, and its sites."""

    files: dict[str, bytes]  # path -> schema source (mutated files and switch files)
    sites: dict[str, tuple[str, list[Site]]]  # path -> (rendered text, placed sites)
    switch_ids: dict[int, Mutant]  # switch id -> mutant, for the mutants this schema carries


def render_schema(
    workspace: dict[str, bytes],
    carried: list[tuple[int, Candidate]],
    wrap: Wrap,
    extra_files: Callable[[dict[str, bytes]], dict[str, bytes]],
) -> Schema:
    by_file: dict[str, list[tuple[int, Candidate]]] = {}
    for switch, cand in carried:
        by_file.setdefault(cand.mutant.file, []).append((switch, cand))
    files: dict[str, bytes] = {}
    sites: dict[str, tuple[str, list[Site]]] = {}
    for path, items in sorted(by_file.items()):
        source = workspace[path]
        text, placed = render(source, build_sites(path, items), wrap)
        files[path] = text.encode()
        sites[path] = (text, placed)
    files.update(extra_files(files))
    return Schema(files, sites, {switch: cand.mutant for switch, cand in carried})


def switch_numbering(candidates: list[Candidate], mutants: list[Mutant]) -> tuple[list[tuple[int, Candidate]], list[Mutant]]:
    """(switch id, candidate) for the mutants a schema can carry; the rest (no site known)."""
    by_file = numbered(candidates, mutants)
    carried = [item for items in by_file.values() for item in items]
    known = {cand.mutant.id for _, cand in carried}
    return carried, [m for m in mutants if m.id not in known]


def drop_sites(schema: Schema, errors: list[tuple[str, int, int, str]]) -> tuple[set[int], list[str]]:
    """Switch ids of the sites holding compiler errors ``(file, line, column, message)``, and
    the messages no site explains (then the schema itself is at fault)."""
    dropped: set[int] = set()
    unexplained: list[str] = []
    from taskaudit.mutation.compiled_support.schema import site_at

    for path, line, column, message in errors:
        entry = schema.sites.get(path)
        site = site_at(entry[0], entry[1], line, column) if entry else None
        if site is None:
            unexplained.append(f"{path}:{line}:{column}: {message}")
        else:
            dropped.update(site.ids)
    return dropped, unexplained


@dataclass
class SchemaOutcome:
    """What one schema run gave: results (it built), or the compiler's errors (it did not)."""

    built: bool
    results: dict[str, MutantResult] = field(default_factory=dict)
    errors: list[tuple[str, int, int, str]] = field(default_factory=list)  # (file, line, column, message)
    detail: str = ""


def errored(schema: Schema, why: str) -> SchemaOutcome:
    """Every mutant of the schema as ERROR: taskaudit could not run them (never counted)."""
    return SchemaOutcome(True, {m.id: MutantResult(m, Outcome.ERROR, detail=why[:1500])
                                for m in schema.switch_ids.values()})


class SchemaRun:
    """One schema's runs in the sandbox (a language implements ``run_in``), in a scratch
    directory of its own that is removed afterwards."""

    def __init__(self, job: MutationJob, schema: Schema) -> None:
        self.job, self.schema = job, schema

    def run(self) -> SchemaOutcome:
        scratch = Scratch.create()
        try:
            return self.run_in(scratch)
        finally:
            scratch.remove()

    def run_in(self, scratch: Scratch) -> SchemaOutcome:
        raise NotImplementedError


def execute_schema(
    job: MutationJob,
    label: str,
    candidates: list[Candidate],
    wrap: Wrap,
    extra_files: Callable[[dict[str, bytes]], dict[str, bytes]],
    schema_run: Callable[[MutationJob, Schema], SchemaRun],
    no_schema: str = "",
) -> list[MutantResult]:
    """The whole flow above for one job; ``schema_run`` is the language's runs 1-3.
    ``no_schema``, when set, says why this task cannot hold a schema (all mutants rebuilt)."""
    carried, unknown = switch_numbering(candidates, job.mutants)
    results: dict[str, MutantResult] = {}
    rebuild: list[Mutant] = list(unknown)
    why = "its site is not expressible in the schema"
    if no_schema:
        rebuild.extend(c.mutant for _, c in carried)
        carried, why = [], no_schema
    builds = 0
    for _ in range(MAX_RENDERS):
        if not carried:
            break
        builds += 1
        schema = render_schema(job.workspace, carried, wrap, extra_files)
        outcome = schema_run(job, schema).run()
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
        job.notes.append(f"{label}: {len(carried)} mutants compiled behind one switch ({builds} schema build(s)), "
                         "run in a warm loop on the tests that reach them")
        job.stats["schema_builds"] = float(builds)
    for r in rebuild_all(job, rebuild, why):
        results[r.mutant.id] = r
    return in_order(job.mutants, results)


@dataclass
class Scratch:
    """A run's directories on the host: the workspace, pristine tests, results, harness."""

    root: Path
    app: Path = field(init=False)
    tests: Path = field(init=False)
    results: Path = field(init=False)
    harness: Path = field(init=False)

    def __post_init__(self) -> None:
        self.app, self.tests = self.root / "app", self.root / "tests"
        self.results, self.harness = self.root / "results", self.root / "mutation-harness"
        for d in (self.app, self.tests, self.results, self.harness):
            d.mkdir(parents=True, exist_ok=True)

    @staticmethod
    def create() -> Scratch:
        return Scratch(Path(tempfile.mkdtemp(prefix="taskaudit-mutation-")))

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def write_tree(root: Path, files: dict[str, bytes]) -> None:
    for rel, content in files.items():
        parts = PurePosixPath(rel).parts
        if PurePosixPath(rel).is_absolute() or ".." in parts or not parts:
            raise ValueError(f"refusing to write a file outside the workspace: {rel!r}")
        target = root.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def rebuild_all(job: MutationJob, mutants: list[Mutant], why: str) -> list[MutantResult]:
    """The engine's rebuild path (``mutation/rebuild.py``: one whole variant per mutant, on the
    audit's run pool when there is one), each result saying why it was rebuilt."""
    if not mutants:
        return []
    job.notes.append(f"{len(mutants)} mutant(s) rebuilt one by one: {why}")
    results = rebuild_results(job, mutants)
    for r in results:
        r.detail = f"{why}; {r.detail}" if r.detail else why
    return results


def no_coverage(mutant: Mutant) -> MutantResult:
    return MutantResult(mutant, Outcome.NO_COVERAGE, detail="no test reaches this code")


def in_order(mutants: list[Mutant], results: dict[str, MutantResult]) -> list[MutantResult]:
    out = []
    for m in mutants:
        r = results.get(m.id)
        out.append(r if r is not None else MutantResult(m, Outcome.ERROR, detail="taskaudit produced no result for it"))
    return out
