"""``taskaudit grade``, ``taskaudit rubric lint`` and ``taskaudit agreement``: grading agent runs.

Thin, like cli.py: arguments in, library calls (taskaudit.trajectories), exit code out.
Library imports happen inside the commands so ``taskaudit --help`` stays fast.
Exit codes: 0 done; 1 ``rubric lint`` found issues; 2 usage error (bad task, rubric, file);
3 could not evaluate (no sandbox, or a run's tests could not run: an infrastructure error).
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import click

EXIT_OK, EXIT_ISSUES, EXIT_USAGE, EXIT_COULD_NOT_EVALUATE = 0, 1, 2, 3


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(code)


def _answers(path: Path | None) -> dict | None:
    """Reviewer answers to manual criteria: ``{run: {criterion: true|false}}`` (TOML
    ``[answers."run.jsonl"]`` tables, or JSON)."""
    if path is None:
        return None
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else tomllib.loads(text).get("answers", {})
    except (OSError, json.JSONDecodeError, tomllib.TOMLDecodeError) as e:
        _fail(f"{path}: cannot read the answers file: {e}")
    bad = [f"{k}.{c}" for k, v in data.items() for c, x in (v.items() if isinstance(v, dict) else [("", None)])
           if not isinstance(x, bool)]
    if bad:
        _fail(f"{path}: answers must be true or false: {', '.join(bad[:5])}")
    return data


def _workspaces(values: tuple[str, ...], trajectories: tuple[Path, ...]) -> dict[str, Path]:
    out = {}
    for v in values:
        if "=" in v:
            name, _, folder = v.partition("=")
        elif len(trajectories) == 1:
            name, folder = trajectories[0].name, v
        else:
            _fail(f"--workspace {v}: with several trajectories, write RUN=DIR (RUN: the trajectory's file name)")
        if not Path(folder).is_dir():
            _fail(f"--workspace {v}: {folder} is not a directory")
        out[Path(name).name] = Path(folder)
    return out


@click.command()
@click.argument("task_path", type=click.Path(path_type=Path))
@click.argument("trajectories", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write the JSON grade report here.")
@click.option("--markdown", "md_path", type=click.Path(path_type=Path), help="Write a Markdown grade report here.")
@click.option("--rubric", "rubric_path", type=click.Path(path_type=Path),
              help="Rubric TOML (docs/rubrics.md); default: the built-in rubric.")
@click.option("--answers", "answers_path", type=click.Path(path_type=Path),
              help="Reviewer answers to the rubric's manual criteria (TOML or JSON).")
@click.option("--judgments", "judgments_path", type=click.Path(path_type=Path),
              help="Pairwise judgments (TOML [[judgment]] or JSON) fitted with Bradley-Terry.")
@click.option("--workspace", "workspace_values", multiple=True, metavar="[RUN=]DIR",
              help="The run's final workspace folder, instead of rebuilding it from the trajectory.")
@click.option("--blind", is_flag=True, help="Replace agent and model names by labels, shuffle the order, "
                                            "and seal the mapping in a separate file (--seal).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the blind order and the bootstrap.")
@click.option("--seal", "seal_path", type=click.Path(path_type=Path), default=Path("grade-mapping.sealed.json"),
              show_default=True, help="Where --blind writes the label -> run mapping.")
@click.option("--format", "fmt", help="Force the trajectory format (atif, claude-code, codex, swe-agent, "
                                      "mini-swe-agent, openhands, inspect).")
@click.option("--allow-network", is_flag=True, help="The task allows network use: do not flag it.")
@click.option("--bootstrap", type=click.IntRange(0, 100000), default=1000, show_default=True,
              help="Bootstrap resamples for the Bradley-Terry intervals.")
@click.option("--judge-url", help="Optional LLM judge: an OpenAI-compatible base URL (e.g. http://localhost:8000/v1). "
                                  "Off by default; asked in both orders; ranks only after gates and score.")
@click.option("--judge-model", help="The judge's model name (with --judge-url).")
@click.option("--judge-key-env", default="OPENAI_API_KEY", show_default=True,
              help="Environment variable holding the judge's API key.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Trajectories graded in parallel (their test runs are sandboxed subprocesses).")
@click.option("--no-run", is_flag=True, help="Do not run the tests (behaviours and rubric only).")
@click.option("--sandbox", "sandbox_name", default=None, help="Sandbox backend (bwrap by default).")
def grade(task_path, trajectories, json_path, md_path, rubric_path, answers_path, judgments_path,
          workspace_values, blind, seed, seal_path, fmt, allow_network, bootstrap, judge_url, judge_model,
          judge_key_env, jobs, no_run, sandbox_name) -> None:
    """Grade agent TRAJECTORIES run on the task at TASK_PATH, and rank them.

    Rebuilds each run's final state, runs the task's pristine tests on it in the sandbox,
    detects behaviours (edited tests, hard-coding, false success claims, ...), answers the
    rubric with rationales citing step ids, and ranks the runs."""
    from taskaudit.formats import load_tasks
    from taskaudit.model import LoadError
    from taskaudit.trajectories.grade import grade as run_grade
    from taskaudit.trajectories.ranking import load_judgments
    from taskaudit.trajectories.report import grade_json, grade_markdown, write_text
    from taskaudit.trajectories.rubric import RubricError, load_rubric

    loaded = load_tasks([task_path])
    if len(loaded) != 1:
        _fail(f"{task_path}: expected one task, found {len(loaded)}")
    task = loaded[0]
    if isinstance(task, LoadError):
        _fail(f"{task.path}: {task.problem}")
    try:
        rubric = load_rubric(rubric_path) if rubric_path else None
    except RubricError as e:
        _fail(str(e))
    try:
        judgments = load_judgments(judgments_path) if judgments_path else []
    except (OSError, ValueError) as e:
        _fail(str(e))
    if bool(judge_url) != bool(judge_model):
        _fail("--judge-url and --judge-model go together")
    judge = {"url": judge_url, "model": judge_model, "key_env": judge_key_env} if judge_url else None
    runs = None
    if not no_run:
        from taskaudit.languages import ToolchainMissing, get_language
        from taskaudit.sandbox import SandboxUnavailable, get_backend
        from taskaudit.trajectories.outcome import TaskRuns

        try:
            runs = TaskRuns(task, get_backend(sandbox_name), get_language(task.language))
        except (SandboxUnavailable, ToolchainMissing) as e:
            _fail(f"cannot run the tests: {e} (use --no-run to grade behaviours only)", EXIT_COULD_NOT_EVALUATE)
    report = run_grade(task, list(trajectories), runs, rubric=rubric, answers=_answers(answers_path),
                       workspaces=_workspaces(workspace_values, trajectories), judgments=judgments,
                       blind_seed=seed if blind else None, seal_path=seal_path if blind else None, fmt=fmt,
                       network_allowed=allow_network, bootstrap=bootstrap, judge=judge, jobs=jobs)
    if json_path:
        write_text(json_path, grade_json(report))
    if md_path:
        write_text(md_path, grade_markdown(report))
    by_key = {g.key: g for g in report.trajectories}
    for e in report.ranking.entries if report.ranking else []:
        g = by_key[e.key]
        status = "unreadable" if g.error else (g.outcome.status if g.outcome else "not run")
        flags = ", ".join(sorted({b.detector for b in g.behaviours})) or "-"
        score = "-" if g.score is None else f"{g.score:.2f}"
        click.echo(f"{e.rank:>3}. {e.key:<32} gates {'pass' if e.gates_passed else 'FAIL'}  score {score:<5} "
                   f"outcome {status:<11} behaviours: {flags}")
        if g.error:
            click.echo(f"     {g.error}")
    if blind:
        click.echo(f"blind: mapping sealed in {seal_path} (sha256 {report.sealed_mapping_sha256})")
    infra = [g.key for g in report.trajectories if g.outcome is not None and g.outcome.status == "infra_error"]
    if infra:
        click.echo(f"could not run the tests for: {', '.join(infra)} (sandbox or toolchain)", err=True)
        raise SystemExit(EXIT_COULD_NOT_EVALUATE)


@click.group()
def rubric() -> None:
    """Rubrics of binary criteria for grading agent runs (docs/rubrics.md)."""


@rubric.command("lint")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def rubric_lint(files) -> None:
    """Flag criteria that are not binary, not atomic or not observable."""
    import tomllib as _toml

    from pydantic import ValidationError

    from taskaudit.trajectories.rubric import Rubric, lint

    found = 0
    for path in files:
        try:
            data = _toml.loads(Path(path).read_text(encoding="utf-8"))
            rub = Rubric(criteria=data.get("criteria") or [], source=str(path))
        except (OSError, UnicodeDecodeError, _toml.TOMLDecodeError, ValidationError) as e:
            click.echo(f"{path}: cannot read the rubric: {e}", err=True)
            raise SystemExit(EXIT_USAGE) from None
        for issue in lint(rub):
            found += 1
            click.echo(f"{path}: {issue.criterion}: {issue.rule}: {issue.message}")
    click.echo(f"{found} issue(s) in {len(files)} file(s)")
    raise SystemExit(EXIT_ISSUES if found else EXIT_OK)


@click.command()
@click.argument("ratings_file", type=click.Path(exists=True, path_type=Path))
@click.option("--grade-report", type=click.Path(exists=True, path_type=Path),
              help="A `taskaudit grade --json` report: its automated answers join as the rater 'taskaudit'.")
@click.option("--json", "json_path", type=click.Path(path_type=Path), help="Write the agreement as JSON here.")
@click.option("--markdown", "md_path", type=click.Path(path_type=Path), help="Write it as Markdown here.")
def agreement(ratings_file, grade_report, json_path, md_path) -> None:
    """Agreement per criterion between reviewers (and taskaudit): Cohen's and Fleiss' kappa,
    Krippendorff's alpha, Gwet's AC1; and the disagreements.

    RATINGS_FILE: CSV with columns item, criterion, rater, value (or a JSON list of them)."""
    from taskaudit.trajectories.agreement import agreement as compute
    from taskaudit.trajectories.agreement import load_ratings, merge, ratings_from_grade
    from taskaudit.trajectories.report import agreement_markdown, write_text

    try:
        data = load_ratings(ratings_file)
    except (OSError, ValueError) as e:
        _fail(str(e))
    machine = None
    if grade_report:
        try:
            auto = ratings_from_grade(json.loads(Path(grade_report).read_text(encoding="utf-8")))
        except (OSError, json.JSONDecodeError) as e:
            _fail(f"{grade_report}: {e}")
        data = merge(data, {c: v for c, v in auto.items() if c in data})
        machine = "taskaudit"
    report = compute(data, machine)
    if json_path:
        write_text(json_path, report.model_dump_json(indent=2) + "\n")
    md = agreement_markdown(report)
    if md_path:
        write_text(md_path, md)
    click.echo(md, nl=False)


COMMANDS = (grade, rubric, agreement)
