"""Strength: can a wrong or cheating solution pass this task?

Builds the cheat probes of ``taskaudit.probes`` (stub, return the input, constant, lookup table
of the tested examples, reduced reference, always-equal, exit early, planted runner
configuration, in-process runner patch, test tampering, reading the tests, reading the
reference, echoing or rewriting expected-output files) and runs each like any variant, through
the sandbox, under a wall clock derived from the reference's own run (``probe_wall_seconds``).
Every probe that passes is a finding carrying its diff.

A harness attack that taskaudit's own runner blocked is still worth knowing about: when the
task's own test script (``tests/test.sh``, read by the harness check) would have been fooled by
it, that is reported as W212 (info), with the script line that opens the door.
"""

from __future__ import annotations

import dataclasses

from taskaudit.checks.base import (
    AuditConfig,
    AuditContext,
    CheckInfraError,
    CheckSkipped,
    register,
)
from taskaudit.checks.reference import run_evidence
from taskaudit.model import (
    Finding,
    Outcome,
    Question,
    RunResult,
    RunStatus,
    Severity,
    Task,
)
from taskaudit.probes import model as kinds

NAME = "probes"

# A stub passing means the tests check nothing (like V005): error. The other logic probes show
# tests too weak to tell a right solution from a wrong one: warning, as mutation survivors are.
# A harness attack passing taskaudit's own runner means a run cannot be trusted: error.
_SEVERITY = {
    kinds.RETURN_INPUT.code: Severity.WARNING,
    kinds.CONSTANT.code: Severity.WARNING,
    kinds.LOOKUP.code: Severity.WARNING,
    kinds.REDUCED.code: Severity.WARNING,
    # Nearly every `assert f(x) == y` suite lets an object with an always-true __eq__ through
    # (HumanEval, MBPP, most generated tasks): worth knowing, too common to gate a task on.
    kinds.ALWAYS_EQUAL.code: Severity.INFO,
    kinds.READ_TESTS.code: Severity.WARNING,
    # Expected-output files the solution can read are like readable tests (W211): warning.
    kinds.EXPECTED_FILES.code: Severity.WARNING,
    # In-process patches defeat any runner that shares a process with the solution (taskaudit's
    # pytest and node:test runners included, see docs/probes.md): context, not a task defect.
    kinds.PATCH_RUNNER.code: Severity.INFO,
}
_TITLES = {
    kinds.STUB.code: "Stub solution passes the tests",
    kinds.RETURN_INPUT.code: "Solution that returns its input passes the tests",
    kinds.CONSTANT.code: "Constant solution passes the tests",
    kinds.LOOKUP.code: "Lookup table of the tested examples passes the tests",
    kinds.REDUCED.code: "Reference without its guards, raises or normalising calls passes",
    kinds.ALWAYS_EQUAL.code: "Always-equal object passes the tests",
    kinds.EXIT_EARLY.code: "Solution that exits early passes the tests",
    kinds.PLANT.code: "Planted runner configuration passes the tests",
    kinds.PATCH_RUNNER.code: "Solution that patches the test runner in-process passes the tests",
    kinds.TAMPER.code: "Solution that rewrites the tests passes",
    kinds.READ_TESTS.code: "Solution that reads the tests at run time passes",
    kinds.READ_REFERENCE.code: "Solution that loads the reachable reference at run time passes",
    kinds.EXPECTED_FILES.code: "Solution that echoes or rewrites the expected-output files passes",
}
for _kind in kinds.KINDS:
    register(_kind.code, Question.STRENGTH, _SEVERITY.get(_kind.code, Severity.ERROR),
             _TITLES[_kind.code], NAME)
W212 = register("W212", Question.STRENGTH, Severity.INFO,
                "Cheat blocked by taskaudit would fool the task's own test script", NAME)


# A probe's wall clock comes from the reference's own measured run, not the task's timeout: a
# probe that loops (a stub whose caller retries, a lookup table missing a case in a `while`)
# would otherwise cost the whole timeout, once per probe. A probe does the same work as the
# reference (build, load, run the tests) minus the solving, so a few times the slowest reference
# run is ample; the floor absorbs a loaded machine. Never more than the task's own timeout.
PROBE_TIMEOUT_FACTOR = 3.0
PROBE_TIMEOUT_FLOOR_SEC = 10.0


def probe_wall_seconds(task_timeout: float, reference_durations: list[float]) -> float:
    """The wall clock each probe runs under (docs/probes.md, "Probe timeouts")."""
    if not reference_durations:
        return float(task_timeout)
    derived = max(PROBE_TIMEOUT_FLOOR_SEC, PROBE_TIMEOUT_FACTOR * max(reference_durations))
    return float(min(task_timeout, derived))


def _passing(ctx: AuditContext) -> list[str]:
    expected: list[str] = ctx.shared.get("expected_tests") or []
    passing = set(expected)
    for ref in ctx.shared.get("reference_runs", []):
        passing &= {t for t, o in ref.outcomes().items() if o == Outcome.PASSED}
    return sorted(passing)


class ProbesCheck:
    name = NAME
    question = Question.STRENGTH
    description = "Runs deliberately wrong and cheating solutions; none may pass."

    def __init__(self, batch: bool = True) -> None:
        # batch: run a Python task's logic probes in one warm sandbox (probes/python_batch.py);
        # False runs every probe on its own (benchmarks/probes_cost.py compares the two).
        self.batch = batch

    def needs(self, task: Task, config: AuditConfig) -> list[tuple[str, int]]:
        return []

    def run(self, ctx: AuditContext) -> list[Finding]:
        from taskaudit.probes.generate import build_probes
        from taskaudit.runner import Variant

        if not ctx.task.reference_available:
            raise CheckSkipped(
                f"the {ctx.task.format} format ships no reference solution: probes are built from it "
                "and compared with its run"
            )
        if ctx.executor is None:
            raise CheckSkipped("no toolchain for the task's language")
        expected = _passing(ctx)
        if not expected:
            raise CheckSkipped("no test passes on the reference in every run: nothing to compare probes with")
        reference = ctx.executor.reference_workspace()
        if reference is None:
            raise CheckSkipped("the reference solution could not be built")
        probes, skipped = build_probes(ctx.task, reference)
        if not probes:
            raise CheckSkipped("no probe could be built: " + "; ".join(f"{k}: {v}" for k, v in skipped.items()))
        wall = probe_wall_seconds(
            ctx.task.timeout_sec, [r.duration_sec for r in ctx.shared.get("reference_runs", [])]
        )
        runs = self._run_probes(ctx, probes, [Variant(f"probe:{p.name}", p.workspace) for p in probes],
                                wall, batch=self.batch)
        broken = [r for r in runs if r.status == RunStatus.INFRA_ERROR]
        if broken:
            raise CheckInfraError(f"probe run {broken[0].variant}: {broken[0].detail}")

        scan = ctx.shared.get("harness_scan")
        findings: list[Finding] = []
        passed = 0
        outcomes: dict[str, str] = {}
        for probe, run in zip(probes, runs):
            ok = run.passed_all(expected)
            outcomes[probe.name] = "passed" if ok else run.status.value
            evidence = {
                "probe": probe.name,
                "what_it_does": probe.description,
                "weakness": probe.kind.weakness,
                "diff": probe.diff(),
                "files_changed": probe.changed_files(),
                **run_evidence(run, expected),
            }
            if probe.cites:
                evidence["assertions_answered"] = [f"tests/{f}:{n}" for f, n in probe.cites]
            if ok:
                passed += 1
                findings.append(ctx.finding(
                    probe.kind.code,
                    f"probe {probe.name} passes all {len(expected)} tests: {probe.kind.weakness}",
                    location=self._where(ctx, probe),
                    evidence=evidence,
                ))
            elif probe.kind.harness_attack and scan is not None:
                finding = self._blocked(ctx, probe, run, scan, evidence)
                if finding:
                    findings.append(finding)
        timed_out = sum(1 for r in runs if r.status == RunStatus.TIMEOUT)
        ctx.metrics.setdefault(self.name, {}).update(
            {"probes_run": float(len(probes)), "probes_passed": float(passed),
             "probes_not_built": float(len(skipped)), "probes_timed_out": float(timed_out),
             "probe_wall_seconds": wall}
        )
        ctx.shared["probe_outcomes"] = {"ran": outcomes, "not_built": skipped}
        return findings

    @staticmethod
    def _run_probes(ctx: AuditContext, probes, variants, wall: float, batch: bool = True) -> list[RunResult]:
        """Every probe through the sandbox under ``wall`` seconds, on the audit's run pool.

        With ``batch``, a Python task's logic probes share one warm sandbox
        (``probes/python_batch.py``); any probe the batch has no trustworthy result for, and
        every other probe, gets its own full run.
        """
        from taskaudit.probes.python_batch import batchable, run_batch
        from taskaudit.runner import limits_for, run_variant

        ctx.run_variants([])  # the same refusals as any extra run (task not runnable, no toolchain)
        executor = ctx.executor
        limits = dataclasses.replace(limits_for(ctx.task), wall_seconds=wall)
        together = [i for i, p in enumerate(probes) if batch and batchable(ctx.task, p, executor.backend)]
        if len(together) < 2:
            together = []  # one probe gains nothing from a batch
        pool = getattr(executor, "run_pool", None)

        def run(job: int | None) -> list[tuple[int, RunResult]]:
            """``None``: the batch (only the probes it has a trusted record for); else one probe alone."""
            if job is None:
                got = run_batch(ctx.task, [variants[i] for i in together], executor.backend,
                                executor.language, limits)
                return [(together[k], r) for k, r in got.items()]
            return [(job, run_variant(ctx.task, variants[job], executor.backend, executor.language, limits))]

        def run_all(jobs):
            return [pair for pairs in (pool.map(run, jobs) if pool is not None else map(run, jobs))
                    for pair in pairs]

        first = ([None] if together else []) + [i for i in range(len(variants)) if i not in together]
        results = dict(run_all(first))
        # A probe the batch has no record for (its driver died, the sandbox failed) runs alone.
        results.update(run_all([i for i in range(len(variants)) if i not in results]))
        return [results[i] for i in range(len(variants))]

    @staticmethod
    def _where(ctx: AuditContext, probe):
        """The first test assertion the probe answers, else the tests directory."""
        if probe.cites:
            path, line = probe.cites[0]
            found = ctx.location(f"tests/{path}", line)
            if found:
                return found
        return ctx.location("tests_dir") or ctx.location("tests")

    def _blocked(self, ctx, probe, run: RunResult, scan, evidence) -> Finding | None:
        from taskaudit.probes.harness_scan import fooled_by

        why = fooled_by(probe.kind.name, scan)
        if why is None:
            return None
        lines = [i for i in scan.issues if i.code in ("V201", "V202", "V205")] or scan.issues
        line = lines[0] if lines else None
        return ctx.finding(
            W212,
            f"probe {probe.name} did not pass under taskaudit's runner ({run.status.value}), but "
            f"tests/{scan.script} would have rewarded it: {why}",
            location=ctx.location(f"tests/{scan.script}", line.line if line else None),
            evidence={
                **evidence,
                "blocked_by_taskaudit": True,
                "harness_script": f"tests/{scan.script}",
                "harness_line": line.line if line else None,
                "harness_text": line.text if line else None,
                "why_the_script_is_fooled": why,
            },
        )
