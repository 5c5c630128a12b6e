"""Strength: the input space — generated inputs, untested classes, wrong solutions that pass.

Runs after the mutation check (it reads ``ctx.shared["mutation"]`` when there is one). For
tasks (Python, JavaScript, TypeScript, Go, Rust, Java) with a function that takes inputs it
generates inputs from the tests' own
(inputspace/), runs the reference and its rivals on them in the sandbox — plausible-wrong
variants of the reference, surviving mutants, candidate solutions the user supplies — and
reports, each with the input that shows it:

- W302: a rival that passes the task's tests yet answers a valid input differently;
- W301: an input class (negative, empty, duplicates, mixed case ...) no test input reaches,
  on which such a rival goes wrong;
- W303: the reference raises or times out on an input the statement admits;
- W304: the reference raises or times out where the statement says nothing (domain unstated);
- W305: the input classes generated inputs reach and no test does (context, info);
- W306: a user-supplied candidate solution that could not be read (the file and line named);
- W307: the time budget ended a harness run before every chosen input ran (which inputs are
  chosen never depends on time; this says the results are incomplete).

Every W301/W302 carries a pytest test that pins the behaviour, run to pass on the reference
and fail on the rival. The strength score (docs/inputspace.md) combines the share of
distinguishable wrong variants the tests reject, the class coverage and the mutation score.
"""

from __future__ import annotations

from taskaudit.checks.base import (
    AuditConfig,
    AuditContext,
    CheckInfraError,
    CheckSkipped,
    register,
)
from taskaudit.model import Finding, Location, Question, RunStatus, Severity, Task

NAME = "inputspace"

W301 = register("W301", Question.STRENGTH, Severity.WARNING, "Input class no test covers", NAME)
W302 = register("W302", Question.STRENGTH, Severity.WARNING, "Wrong solution passes the tests", NAME)
W303 = register("W303", Question.STRENGTH, Severity.WARNING, "Reference fails on an input the statement admits", NAME)
W304 = register("W304", Question.STRENGTH, Severity.INFO, "Input domain unstated", NAME)
W305 = register("W305", Question.STRENGTH, Severity.INFO, "Input classes only generated inputs reach", NAME)
W306 = register("W306", Question.STRENGTH, Severity.INFO, "Candidate solution could not be read", NAME)
W307 = register("W307", Question.STRENGTH, Severity.INFO, "Input-space time budget ran out", NAME)

MAX_W302 = 5  # wrong-but-passing rivals reported per task
MAX_MISSING_TESTS = 3  # written and verified per task (two sandboxed runs each)
MAX_EXAMPLES = 5  # example inputs in one W303/W304/W305
MAX_SURVIVORS = 20  # surviving mutants run on the generated inputs, per task


def strength_score(parts: dict[str, float | None]) -> float | None:
    """Weighted mean of the parts measured: differential 0.5, mutation 0.3, classes 0.2."""
    weights = {"differential": 0.5, "mutation": 0.3, "class_coverage": 0.2}
    present = {k: v for k, v in parts.items() if v is not None and k in weights}
    if not present:
        return None
    total = sum(weights[k] for k in present)
    return sum(weights[k] * v for k, v in present.items()) / total


class InputSpaceCheck:
    name = NAME
    question = Question.STRENGTH
    description = (
        "Generates inputs from the tests' own, runs the reference and wrong variants on them, and "
        "reports input classes no test covers and wrong solutions the tests let through."
    )

    def needs(self, task: Task, config: AuditConfig) -> list[tuple[str, int]]:
        from taskaudit.inputspace.support import SUPPORTED

        return [("reference", 1)] if task.reference_available and task.language in SUPPORTED else []

    def run(self, ctx: AuditContext) -> list[Finding]:
        from taskaudit.inputspace import analysis as ia
        from taskaudit.inputspace import candidates as cands
        from taskaudit.inputspace.execute import HarnessError, HarnessUnsupported
        from taskaudit.inputspace.support import SUPPORTED, support_for
        from taskaudit.runner import Variant

        task = ctx.task
        support = support_for(task.language)
        if support is None:
            raise CheckSkipped(
                f"input-space analysis has no harness for {task.language} yet (it runs {', '.join(SUPPORTED)})"
            )
        if not task.reference_available:
            raise CheckSkipped("the task ships no reference solution to compare with")
        if ctx.executor is None:
            raise CheckInfraError("no toolchain to run the input harness with")
        reference_run = ctx.run("reference", 0)
        if reference_run.status == RunStatus.INFRA_ERROR:
            raise CheckInfraError(f"reference run failed for infrastructure reasons: {reference_run.detail}")
        expected = sorted(reference_run.outcomes())
        if not reference_run.passed_all(expected) or not expected:
            raise CheckSkipped("the reference does not pass its own tests (see the reference check)")
        workspace = ctx.executor.reference_workspace()
        if workspace is None:
            raise CheckSkipped("the reference workspace could not be built")

        findings: list[Finding] = []
        candidate_list = []
        location = cands.source_of(ctx.config, task)
        if location:
            try:
                loaded, problems = cands.load_for_task(location, task)
            except cands.CandidateError as exc:
                raise CheckInfraError(str(exc)) from None
            candidate_list = ia.candidate_rivals(workspace, loaded)
            for problem in problems:
                findings.append(ctx.finding(W306, f"candidate skipped: {problem}",
                                            evidence={"candidates": location, "problem": problem}))
        mutation = ctx.shared.get("mutation")
        survivors = []
        if mutation is not None:
            from taskaudit.mutation.model import SurvivorKind

            # Survivors not already shown to be noise (message-only, likely equivalent); each
            # may show which untested class matters (W301).
            open_ = [r for r in mutation.results
                     if r.survivor_kind in (None, SurvivorKind.BEHAVIOURAL, SurvivorKind.UNKNOWN)]
            survivors = ia.survivor_rivals(workspace, open_)[:MAX_SURVIVORS]

        def run_tests(named: list[tuple[str, dict[str, bytes]]]) -> list[tuple[bool | None, str]]:
            out = []
            for run in ctx.run_variants([Variant(name, ws) for name, ws in named]):
                if run.status == RunStatus.INFRA_ERROR:
                    out.append((None, run.detail))
                elif run.passed_all(expected):
                    out.append((True, "every test passed"))
                else:
                    failed = [t for t, o in run.outcomes().items() if o.value != "passed"]
                    out.append((False, f"{run.status.value}; failed: {', '.join(failed[:5])}"))
            return out

        try:
            result = ia.analyse(
                task, workspace, ctx.executor.backend, getattr(ctx.executor.language, "toolchain_mounts", list)(), support,
                survivors=survivors, candidates=candidate_list, run_tests=run_tests,
            )
        except HarnessUnsupported as exc:
            raise CheckSkipped(str(exc)[:500]) from None
        except HarnessError as exc:
            raise CheckInfraError(f"input harness: {exc}") from None
        except ia.NoInputs as exc:
            raise CheckSkipped(str(exc)) from None
        if result is None:
            raise CheckSkipped("no function with plain positional parameters that the tests or statement name "
                               "(or a function-level entry point)")
        if survivors:
            ia.classify_survivors(result)

        findings += self._wrong_but_passing(ctx, result, workspace, support)
        findings += self._reference_health(ctx, result)
        findings += self._coverage_summary(ctx, result)
        findings += self._budget(ctx, result)
        self._score(ctx, result, mutation)
        ctx.shared["inputspace"] = result
        return findings

    # ----------------------------------------------------------------- W301 / W302

    def _wrong_but_passing(self, ctx: AuditContext, result, workspace: dict[str, bytes], support) -> list[Finding]:
        from taskaudit.inputspace.analysis import NO_TEST_CALLS, explaining_class
        from taskaudit.inputspace.missing_tests import verify

        findings: list[Finding] = []
        passing = [r for r in result.rivals if r.kind != "mutant" and r.tests_passed and r.disagreements]
        # Behavioural survivors passed the tests too (that is what surviving means).
        mutants = [r for r in result.rivals if r.kind == "mutant" and r.disagreements]
        class_witness: dict[str, tuple] = {}
        tests_written = 0
        for rival in passing[:MAX_W302]:
            cls, d = explaining_class(result, rival)
            target = d.probe.target
            missing = None
            if tests_written < MAX_MISSING_TESTS:
                why = "a function no test calls" if cls == NO_TEST_CALLS else cls or "an untested combination"
                missing = support.missing_test(ctx.task, target, d.probe.args, d.reference, why)
                if missing is not None:
                    tests_written += 1
                    missing = verify(missing, ctx.task, workspace, rival.workspace, ctx.executor.backend, ctx.executor.language)
            evidence = {
                "rival": rival.name,
                "kind": rival.kind,
                "change": rival.description,
                "diff": rival.diff,
                "input": d.probe.call_text(),
                "input_origin": d.probe.origin,
                "input_validity": d.probe.validity,
                "reference_output": d.reference.shown(),
                "rival_output": d.rival.shown(),
                "other_inputs": [x.probe.call_text() for x in rival.disagreements if x is not d][:3],
                "tests": rival.test_run_detail,
                "untested_class": cls,
            }
            if missing is not None and missing.verified:
                evidence["missing_test"] = missing.evidence()
            elif missing is not None:
                evidence["missing_test_unverified"] = missing.evidence()
            what = "candidate solution" if rival.kind == "candidate" else "wrong variant of the reference"
            findings.append(ctx.finding(
                W302,
                f"a {what} ({rival.description}) passes every test, yet on {d.probe.call_text()} "
                f"the reference {d.reference.verb()} and it {d.rival.verb()}",
                location=_where(ctx, target),
                evidence=evidence,
            ))
            if cls:
                class_witness.setdefault(cls + "\0" + target.function, (cls, d, rival, evidence.get("missing_test")))
        for rival in mutants:
            cls, d = explaining_class(result, rival)
            if cls:
                class_witness.setdefault(cls + "\0" + d.probe.target.function, (cls, d, rival, None))
        for _key, (cls, d, rival, missing) in sorted(class_witness.items()):
            param, _, label = cls.partition(": ")
            gap = (f"no test calls {d.probe.target.function}() with literal arguments" if cls == NO_TEST_CALLS
                   else f"no test input of {d.probe.target.function}() has {param} {label}")
            evidence = {
                "class": cls,
                "input": d.probe.call_text(),
                "reference_output": d.reference.shown(),
                "wrong_output": d.rival.shown(),
                "wrong_solution": rival.description,
                "wrong_solution_kind": rival.kind,
                "diff": rival.diff,
                "test_input_classes": sorted(result.seed_classes.get(d.probe.target.function, set())),
            }
            if missing:
                evidence["missing_test"] = missing
            findings.append(ctx.finding(
                W301,
                f"{gap}; on "
                f"{d.probe.call_text()} the reference {d.reference.verb()}, while a wrong "
                f"solution that passes the tests ({rival.description}) {d.rival.verb()}",
                location=_where(ctx, d.probe.target),
                evidence=evidence,
            ))
        return findings

    # ----------------------------------------------------------------- W303 / W304

    def _reference_health(self, ctx: AuditContext, result) -> list[Finding]:
        findings = []
        for code, items, says in (
            (W303, result.reference_failures, "on inputs the statement admits"),
            (W304, result.domain_unstated, "on inputs the statement neither admits nor rules out"),
        ):
            by_target: dict[str, list] = {}
            for probe, outcome in items:
                by_target.setdefault(probe.target.function, []).append((probe, outcome))
            for fn, rows in sorted(by_target.items()):
                examples = [{"input": p.call_text(), "reference": o.shown(), "validity": p.validity,
                             "constraints": p.validity_why} for p, o in rows[:MAX_EXAMPLES]]
                first = rows[0]
                msg = (f"the reference {first[1].verb()} on {first[0].call_text()} "
                       f"({len(rows)} generated input(s) {says})")
                if code == W304:
                    msg += "; these inputs are left out of the comparison"
                findings.append(ctx.finding(code, msg, location=_where(ctx, first[0].target),
                                            evidence={"function": fn, "count": len(rows), "examples": examples,
                                                      "constraints_read": result.constraints.get(fn, [])}))
        return findings

    def _coverage_summary(self, ctx: AuditContext, result) -> list[Finding]:
        findings = []
        for target in result.targets:
            fn = target.function
            gap = sorted(result.reached_classes.get(fn, set()) - result.seed_classes.get(fn, set()))
            if not gap:
                continue
            examples = {}
            for probe, ref, ok in zip(result.probes, result.reference, result.usable):
                if ok and probe.target.function == fn and probe.origin != "test":
                    for cls in probe.classes:
                        if cls in gap and cls not in examples:
                            examples[cls] = {"input": probe.call_text(), "reference": ref.shown()}
            findings.append(ctx.finding(
                W305,
                f"{len(gap)} input class(es) of {fn}() no test input reaches: {', '.join(gap[:8])}"
                + (" ..." if len(gap) > 8 else ""),
                location=_where(ctx, target),
                evidence={"function": fn, "classes": gap, "examples": examples,
                          "test_input_classes": sorted(result.seed_classes.get(fn, set()))},
            ))
        return findings

    def _budget(self, ctx: AuditContext, result) -> list[Finding]:
        """The inputs run are chosen by count, so two audits run the same ones; only a harness
        run cut short by its time budget breaks that, and it is said here, never hidden."""
        from taskaudit.inputspace import analysis as ia

        if not result.not_run:
            return []
        parts = [f"{n} call(s) of the {who}" for who, n in sorted(result.not_run.items())]
        return [ctx.finding(
            W307,
            f"the time budget ended the input harness before {' and '.join(parts)} ran; those "
            "inputs are left out of the comparison, so this run's input-space results are incomplete",
            evidence={"not_run": dict(sorted(result.not_run.items())),
                      "budget_seconds": {"reference": ia.REFERENCE_BUDGET_SECONDS, "rivals": ia.RIVALS_BUDGET_SECONDS},
                      "call_seconds": ia.CALL_SECONDS},
        )]

    # ----------------------------------------------------------------- score

    def _score(self, ctx: AuditContext, result, mutation) -> None:
        wrong = [r for r in result.rivals if r.kind == "plausible" and (r.disagreements or r.differs_on_test_input)]
        rejected = [r for r in wrong if r.differs_on_test_input or r.tests_passed is False]
        passing = [r for r in result.rivals if r.kind != "mutant" and r.tests_passed and r.disagreements]
        judged = [r for r in wrong if r.differs_on_test_input or r.tests_passed is not None]
        differential = (len(rejected) / len(judged)) if judged else None
        covered, total = result.class_coverage()
        coverage = covered / total if total else None
        mutation_score = mutation.score if mutation is not None else None
        score = strength_score({"differential": differential, "mutation": mutation_score, "class_coverage": coverage})
        metrics = {
            "inputs": len(result.probes),
            "test_inputs": sum(p.origin == "test" for p in result.probes),
            "dropped_invalid": result.dropped_invalid,
            "classes_covered": covered,
            "classes_total": total,
            "wrong_variants_distinguishable": len(wrong),
            "wrong_variants_rejected": len(rejected),
            "wrong_but_passing": len(passing),
            "reference_failures": len(result.reference_failures),
            "domain_unstated": len(result.domain_unstated),
            "calls_not_run_budget": sum(result.not_run.values()),
        }  # no timings here: metrics are what the score rests on, and must repeat run to run
        for key, value in (("differential", differential), ("class_coverage", coverage), ("mutation_score", mutation_score)):
            if value is not None:
                metrics[key] = value
        if score is None:  # nothing measured a score: record the counts, claim no score
            ctx.metrics.setdefault(ctx.check_name, {}).update({k: float(v) for k, v in metrics.items()})
        else:
            ctx.set_score(score, **metrics)


def _where(ctx: AuditContext, target) -> Location | None:
    """The function's definition in the task's files (a script solution keeps it deeper)."""
    exact = ctx.location(f"solution/{target.path}", target.line)
    if exact:
        return exact
    for key in sorted(ctx.task.origin):
        if key.startswith("solution/") and key.endswith("/" + target.path):
            return ctx.location(key, target.line)
    return ctx.location("solution", target.line) or ctx.location("solution_dir")
