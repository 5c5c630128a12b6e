"""The mutation engine's ``differ`` hook (``mutation/classify.py``), backed by input-space analysis.

``make_differ`` returns, for one task, a callable the engine calls per behavioural-looking
survivor: the first call generates the inputs and runs the reference on them (once per task);
each call then runs that one mutant on the same inputs in the sandbox. A mutant that answers
some valid input differently is behavioural, with that input as its witness and the test that
pins the reference's answer on it written out (``missing_test``: the mutation check runs it on
the reference and on the mutant before offering it); one that agrees on every input is likely
equivalent; when nothing could be run the hook has no opinion.
"""

from __future__ import annotations

from taskaudit.model import Task


def make_differ(task: Task, workspace: dict[str, bytes], backend, language):
    """A ``Differ`` for ``task``, or None when its language has no input harness."""
    from taskaudit.inputspace import analysis as ia
    from taskaudit.inputspace.execute import HarnessError
    from taskaudit.inputspace.support import support_for
    from taskaudit.mutation.model import SurvivorKind

    support = support_for(task.language)
    if support is None:
        return None
    mounts = getattr(language, "toolchain_mounts", list)()
    state: dict = {}

    def reference():
        if "analysis" not in state:
            try:
                state["analysis"] = ia.reference_phase(task, workspace, backend, mounts, support)
            except (HarnessError, ia.NoInputs):
                state["analysis"] = None
        return state["analysis"]

    def judge(rival):
        if rival is None:
            return None, None
        if rival.disagreements:
            d = rival.disagreements[0]
            witness = {"input": d.probe.call_text(), "reference": d.reference.shown(), "mutant": d.rival.shown()}
            # The missing test, written out (not yet run: the mutation check verifies it).
            test = support.missing_test(task, d.probe.target, d.probe.args, d.reference, "a surviving mutant")
            if test is not None:
                witness["missing_test"] = {"path": test.path, "source": test.source}
            return SurvivorKind.BEHAVIOURAL, witness
        if rival.differs_on_test_input or not rival.results:
            return None, None  # differs only where a test looks (or never ran): no new evidence
        return SurvivorKind.LIKELY_EQUIVALENT, None

    def batch(results):
        """Judge many survivors with one harness run for all of them (one sandbox process)."""
        analysis = reference()
        if analysis is None or not any(analysis.usable):
            return [(None, None)] * len(results)
        rivals = ia.survivor_rivals(workspace, results)
        try:
            ia.compare_rivals(analysis, rivals, backend, mounts, support)
        except HarnessError:
            return [(None, None)] * len(results)
        by_result = {id(r.payload): r for r in rivals}
        return [judge(by_result.get(id(result))) for result in results]

    def differ(result):
        return batch([result])[0]

    differ.batch = batch
    return differ
