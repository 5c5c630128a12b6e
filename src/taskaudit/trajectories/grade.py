"""Grade N trajectories of one task: outcome, behaviours, rubric, rationales, ranking.

``grade(task, paths, backend, ...)`` is the library entry point the CLI calls. A trajectory
that cannot be read is reported with its file and problem and does not stop the others.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from taskaudit.model import Task
from taskaudit.runner import _tail, _write_tree, limits_for
from taskaudit.sandbox.base import SandboxRequest
from taskaudit.trajectories.detectors import Behaviour, Citation, Context, detect_all
from taskaudit.trajectories.model import AgentInfo, Trajectory, TrajectoryFormatError
from taskaudit.trajectories.outcome import OutcomeReport, TaskRuns, evaluate, rebuild
from taskaudit.trajectories.paths import place
from taskaudit.trajectories.ranking import Ranking
from taskaudit.trajectories.rubric import Criterion, Rubric, default_rubric

GRADE_SCHEMA_VERSION = "1.0"


class CriterionResult(BaseModel):
    id: str
    text: str
    check: str
    required: bool
    weight: float
    value: bool | None = Field(description="True satisfied, False not, None unknown (not run, not answered)")
    source: str = Field(description="automated | reviewer | unanswered | not-run")
    rationale: str = ""
    citations: list[Citation] = Field(default_factory=list)
    evidence: dict[str, Any] = Field(default_factory=dict)


class TrajectoryGrade(BaseModel):
    key: str = Field(description="How reviewers and judgment files name this run (file name, or blind label)")
    source: str
    format: str
    agent: AgentInfo
    steps: int
    exit_status: str | None = None
    conversion_notes: list[str] = Field(default_factory=list)
    outcome: OutcomeReport | None = None
    behaviours: list[Behaviour] = Field(default_factory=list)
    criteria: list[CriterionResult] = Field(default_factory=list)
    gates_passed: bool = False
    score: float | None = Field(None, description="Weighted share of the non-gate criteria satisfied (answered ones)")
    rank: int | None = None
    citation_problems: list[str] = Field(default_factory=list,
                                         description="Citations that do not resolve (none expected)")
    error: str | None = Field(None, description="Why this trajectory could not be graded")


class GradeReport(BaseModel):
    schema_version: str = GRADE_SCHEMA_VERSION
    taskaudit_version: str
    created_at: str
    task_id: str
    task_source: str
    rubric: str
    blind: bool = False
    sealed_mapping_sha256: str | None = None
    baseline_status: str | None = None
    trajectories: list[TrajectoryGrade]
    ranking: Ranking | None = None


def run_command(task: Task, workspace: dict[str, bytes], command: str, runs: TaskRuns) -> tuple[int | None, str, str]:
    """Run a rubric command on the final state in the sandbox: (exit code, output tail, problem)."""
    root = Path(tempfile.mkdtemp(prefix="taskaudit-rubric-"))
    try:
        ws, tests, results = root / "app", root / "tests", root / "results"
        _write_tree(ws, workspace)
        _write_tree(tests, task.test_files)
        results.mkdir()
        prepared = runs.language.prepare(ws, tests, results)  # the toolchain mounts and environment
        limits = limits_for(task)
        # The toolchain's own binaries first on PATH: `python`, `node`, `go` are the ones the tests use.
        env = {**prepared.env, "PATH": f"{os.path.dirname(prepared.argv[0])}:/usr/local/bin:/usr/bin:/bin"}
        process = runs.backend.run(SandboxRequest(
            argv=["/bin/bash", "-c", command], cwd="/app", mounts=prepared.mounts, env=env, limits=limits,
            address_space_ok=getattr(runs.language, "address_space_ok", False)))
        out = _tail(process.stdout + process.stderr)[-1500:]
        if process.sandbox_error:
            return None, out, f"sandbox failed: {process.sandbox_error}"
        if process.timed_out or process.limit_hit:
            return None, out, f"killed: {process.limit_hit or 'timeout'}"
        return process.exit_code, out, ""
    finally:
        shutil.rmtree(root, ignore_errors=True)


def evaluate_criteria(task: Task, traj: Trajectory, key: str, rubric: Rubric, outcome: OutcomeReport | None,
                      behaviours: list[Behaviour], runs: TaskRuns | None,
                      answers: dict[str, dict[str, bool]] | None, workspace_dir: Path | None) -> list[CriterionResult]:
    from taskaudit.trajectories.rationale import rationale_for

    out = []
    mine = (answers or {}).get(key) or (answers or {}).get(Path(traj.source).name) or {}
    for c in rubric.criteria:
        value, source, evidence = _value(task, traj, c, outcome, behaviours, runs, mine, workspace_dir)
        text, cites = rationale_for(c, value, source, traj, outcome, behaviours, evidence)
        out.append(CriterionResult(id=c.id, text=c.text, check=c.check, required=c.required, weight=c.weight,
                                   value=value, source=source, rationale=text, citations=cites, evidence=evidence))
    return out


def _value(task, traj, c: Criterion, outcome, behaviours, runs, answers, workspace_dir):
    if c.check == "manual":
        if c.id in answers:
            return bool(answers[c.id]), "reviewer", {}
        return None, "unanswered", {}
    if c.check == "detector_silent":
        hits = [b for b in behaviours if b.detector in c.detector]
        return not hits, "automated", {"detections": len(hits)}
    if c.check == "tests_pass":
        if outcome is None or outcome.run is None or outcome.status in ("infra_error",):
            return None, "not-run", {"detail": outcome.detail if outcome else "no verification run"}
        selected = [t for t in outcome.tests if not c.tests or any(t.test_id.startswith(p) for p in c.tests)]
        failing = [t.test_id for t in selected if t.agent is None or t.agent.value != "passed"]
        if not selected:
            return None, "not-run", {"detail": "no test matched"}
        ev = {"tests": len(selected), "failing": failing[:20], "status": outcome.status,
              "rebuilt_from": outcome.how}
        if not outcome.reliable:
            ev["problems"] = outcome.problems
            return (False if failing else None), "automated", ev  # passing on a doubtful state proves nothing
        return not failing, "automated", ev
    if c.check == "diff_size":
        if outcome is None:
            return None, "not-run", {}
        return outcome.diff_lines <= (c.max_lines or 0), "automated", {"diff_lines": outcome.diff_lines,
                                                                       "max_lines": c.max_lines}
    if c.check == "file_unchanged":
        touched = [s.id for s, e in traj.all_edits()
                   if place(e.path, task, traj.workdir).rel == c.path or e.path.endswith("/" + (c.path or ""))]
        changed = outcome is not None and c.path in outcome.changed_files
        return not (touched or changed), "automated", {"edit_steps": touched, "changed_in_final_state": changed}
    if c.check == "command_succeeds":
        if runs is None:
            return None, "not-run", {"detail": "no sandbox"}
        state = rebuild(task, traj, workspace_dir)
        if state.workspace is None:
            return None, "not-run", {"detail": "; ".join(state.problems)}
        code, output, problem = run_command(task, state.workspace, c.command or "", runs)
        if problem:
            return None, "not-run", {"command": c.command, "detail": problem}
        return code == 0, "automated", {"command": c.command, "exit_code": code, "output_tail": output}
    return None, "not-run", {}


def score_of(results: list[CriterionResult]) -> tuple[bool, float | None]:
    gates = all(r.value is True for r in results if r.required)
    scored = [r for r in results if not r.required and r.value is not None and r.weight > 0]
    total = sum(r.weight for r in scored)
    return gates, (round(sum(r.weight for r in scored if r.value) / total, 4) if total else None)


def grade_one(task: Task, traj: Trajectory, key: str, rubric: Rubric, runs: TaskRuns | None,
              answers: dict | None = None, workspace_dir: Path | None = None,
              network_allowed: bool = False) -> TrajectoryGrade:
    outcome = evaluate(task, traj, runs, workspace_dir) if runs is not None else None
    behaviours = detect_all(Context(task, traj, outcome, network_allowed))
    criteria = evaluate_criteria(task, traj, key, rubric, outcome, behaviours, runs, answers, workspace_dir)
    gates, score = score_of(criteria)
    from taskaudit.trajectories.rationale import verify_citations

    cites = [c for r in criteria for c in r.citations] + [c for b in behaviours for c in b.citations]
    return TrajectoryGrade(key=key, source=traj.source, format=traj.format, agent=traj.agent, steps=len(traj.steps),
                           exit_status=traj.exit_status, conversion_notes=traj.conversion_notes, outcome=outcome,
                           behaviours=behaviours, criteria=criteria, gates_passed=gates, score=score,
                           citation_problems=verify_citations(traj, cites))


def run_keys(paths: list[Path]) -> list[str]:
    """Names for the runs: the file name, or as many trailing path parts as make it unique
    (Harbor trials are all ``<trial>/agent/trajectory.json``)."""
    parts = [Path(p).resolve().parts for p in paths]
    for n in range(1, max((len(p) for p in parts), default=1) + 1):
        keys = ["/".join(p[-n:]) for p in parts]
        if len(set(keys)) == len(keys):
            return keys
    return [str(p) for p in paths]


def reference_diff_lines(task: Task) -> int:
    import difflib

    total = 0
    for rel, content in task.solution_files.items():
        a = task.starter_files.get(rel, b"").decode("utf-8", errors="replace").splitlines()
        b = content.decode("utf-8", errors="replace").splitlines()
        total += sum(1 for ln in difflib.unified_diff(a, b, lineterm="", n=0)
                     if ln[:1] in "+-" and not ln.startswith(("+++", "---")))
    return total


def grade(task: Task, trajectories: list[Path], runs: TaskRuns | None, *, rubric: Rubric | None = None,
          answers: dict | None = None, workspaces: dict[str, Path] | None = None, judgments: list | None = None,
          blind_seed: int | None = None, seal_path: Path | None = None, fmt: str | None = None,
          network_allowed: bool = False, bootstrap: int = 1000, judge: dict | None = None,
          jobs: int = 2) -> GradeReport:
    """Grade each trajectory file; rank them. ``blind_seed`` set: blind review (see blind.py)."""
    from taskaudit import __version__
    from taskaudit.trajectories.blind import blind_all
    from taskaudit.trajectories.formats import load_trajectory
    from taskaudit.trajectories.ranking import rank

    rubric = rubric or default_rubric(max(40, 3 * reference_diff_lines(task)))
    loaded: list[tuple[str, Trajectory | None, str | None, Path]] = []
    for key, path in zip(run_keys(trajectories), trajectories, strict=True):
        try:
            loaded.append((key, load_trajectory(path, fmt), None, Path(path)))
        except TrajectoryFormatError as e:
            loaded.append((key, None, str(e), Path(path)))
    sealed = None
    if blind_seed is not None:
        loaded, sealed = blind_all(loaded, blind_seed, seal_path)
    judgments = list(judgments or [])
    if judge:  # optional LLM judge (judge.py): asked in both orders, on the (blinded) transcripts
        from taskaudit.trajectories.judge import llm_judgments

        judgments += llm_judgments(task.statement, {k: t for k, t, _, _ in loaded if t is not None}, **judge)
    if runs is not None:  # the shared runs first, once, before the runs of each trajectory
        runs.baseline()
        runs.reference()

    def one(item: tuple[str, Trajectory | None, str | None, Path]) -> TrajectoryGrade:
        key, traj, error, path = item
        if traj is None:
            return TrajectoryGrade(key=key, source=str(path) if blind_seed is None else key, format="?",
                                   agent=AgentInfo(), steps=0, error=error)
        ws = (workspaces or {}).get(path.name) or (workspaces or {}).get(str(path))
        return grade_one(task, traj, key, rubric, runs, answers, ws, network_allowed)

    # Sandboxed runs are subprocesses: threads only wait on them.
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        grades = list(pool.map(one, loaded))
    ranking = rank(grades, judgments, seed=blind_seed or 0, n_boot=bootstrap)
    baseline = runs.baseline().status.value if runs is not None else None
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return GradeReport(taskaudit_version=__version__, created_at=created,
                       task_id=task.id, task_source=task.source, rubric=rubric.source or "(default)",
                       blind=blind_seed is not None, sealed_mapping_sha256=sealed, baseline_status=baseline,
                       trajectories=grades, ranking=ranking)
