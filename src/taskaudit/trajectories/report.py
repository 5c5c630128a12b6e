"""Grade reports: JSON (the GradeReport model, keys in a stable order) and Markdown."""

from __future__ import annotations

import json
import os
from pathlib import Path

from taskaudit.trajectories.agreement import AgreementReport
from taskaudit.trajectories.grade import GradeReport


def grade_json(report: GradeReport) -> str:
    return json.dumps(report.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


def write_text(path: Path, text: str) -> None:
    """Write, then rename: a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _value(v: bool | None) -> str:
    return {True: "yes", False: "**no**", None: "?"}[v]


def grade_markdown(report: GradeReport) -> str:
    out = [f"# Grades: task `{report.task_id}`", ""]
    out.append(f"Rubric: {report.rubric}. Baseline run (starter files): {report.baseline_status or 'not run'}."
               + (" **Blind review**: names replaced by labels; mapping sealed "
                  f"(sha256 `{report.sealed_mapping_sha256}`)." if report.blind else ""))
    out += ["", "## Ranking", "", "| rank | run | gates | score | BT strength (95% interval) | outcome | behaviours |",
            "|---:|---|---|---:|---|---|---|"]
    by_key = {g.key: g for g in report.trajectories}
    for e in (report.ranking.entries if report.ranking else []):
        g = by_key[e.key]
        bt = "—" if e.strength is None else f"{e.strength:.2f}" + (
            f" ({e.interval[0]:.2f}–{e.interval[1]:.2f})" if e.interval else "")
        outcome = g.error and "unreadable" or (g.outcome.status if g.outcome else "not run")
        behaviours = ", ".join(sorted({b.detector for b in g.behaviours})) or "none"
        score = "—" if g.score is None else f"{g.score:.2f}"
        out.append(f"| {e.rank} | `{_cell(e.key)}` | {'pass' if e.gates_passed else '**fail**'} | {score} | {bt} | "
                   f"{outcome} | {behaviours} |")
    if report.ranking and report.ranking.ties:
        out += ["", "Ties: " + "; ".join(" = ".join(f"`{k}`" for k in t) for t in report.ranking.ties) + "."]
    if report.ranking and report.ranking.cycles:
        out += ["", "Preference cycles in the judgments: " +
                "; ".join(" > ".join(f"`{k}`" for k in c + c[:1]) for c in report.ranking.cycles) + "."]
    for g in report.trajectories:
        out += ["", f"## `{g.key}`", ""]
        if g.error:
            out += [f"Could not be read: {g.error}"]
            continue
        who = " / ".join(x for x in (g.agent.name, g.agent.model) if x)
        out.append(f"{g.format} trajectory, {g.steps} steps{', ' + who if who else ''}"
                   f"{', exit status ' + g.exit_status if g.exit_status else ''}.")
        if g.outcome:
            o = g.outcome
            counts = ", ".join(f"{k.replace('_', '-')} {v}" for k, v in sorted(o.counts.items()))
            out.append(f"Outcome: **{o.status}** (final state from {o.how}; {counts or 'no tests'}). {o.detail}")
        out += ["", "| criterion | gate | met | rationale | steps |", "|---|---|---|---|---|"]
        for c in g.criteria:
            steps = ", ".join(str(s) for s in sorted({x.step for x in c.citations}))
            out.append(f"| {_cell(c.id)} | {'yes' if c.required else f'w={c.weight:g}'} | {_value(c.value)} | "
                       f"{_cell(c.rationale)} | {steps} |")
        if g.behaviours:
            out += ["", "Behaviours:", ""]
            for b in g.behaviours:
                cites = "; ".join(f"step {c.step}: `{_cell(c.quote[:80])}`" for c in b.citations)
                out.append(f"- **{b.detector}** ({b.severity}): {b.message}" + (f" — {cites}" if cites else ""))
        if g.conversion_notes:
            out += ["", "Not seen by the grade: " + "; ".join(g.conversion_notes)]
        if g.citation_problems:
            out += ["", "**Citations that do not resolve:** " + "; ".join(g.citation_problems)]
    return "\n".join(out) + "\n"


def agreement_markdown(report: AgreementReport) -> str:
    out = ["# Agreement", "", "| criterion | items | raters | agree | Fleiss κ | Krippendorff α | Gwet AC1 |",
           "|---|---:|---|---:|---:|---:|---:|"]

    def f(x: float | None) -> str:
        return "—" if x is None else f"{x:.3f}"

    for c in report.criteria:
        out.append(f"| {_cell(c.criterion)} | {c.items} | {', '.join(c.raters)} | {f(c.percent)} | "
                   f"{f(c.fleiss_kappa)} | {f(c.krippendorff_alpha)} | {f(c.gwet_ac1)} |")
    if report.machine_rater:
        out += ["", f"Reviewers only (without {report.machine_rater}):", "",
                "| criterion | Fleiss κ | Krippendorff α | Gwet AC1 |", "|---|---:|---:|---:|"]
        for c in report.criteria:
            r = c.reviewers_only
            out.append(f"| {_cell(c.criterion)} | {f(r.get('fleiss_kappa'))} | {f(r.get('krippendorff_alpha'))} | "
                       f"{f(r.get('gwet_ac1'))} |")
    out += ["", "## Pairs (Cohen's κ)", "", "| criterion | raters | items | agree | κ |", "|---|---|---:|---:|---:|"]
    for c in report.criteria:
        for p in c.pairs:
            out.append(f"| {_cell(c.criterion)} | {p.raters[0]} – {p.raters[1]} | {p.items} | {f(p.percent)} | "
                       f"{f(p.cohen_kappa)} |")
    dis = [(c.criterion, d) for c in report.criteria for d in c.disagreements]
    out += ["", f"## Disagreements ({len(dis)})", ""]
    for crit, d in dis:
        out.append(f"- {crit} / `{d['item']}`: " + ", ".join(f"{r}={v}" for r, v in d["ratings"].items()))
    return "\n".join(out) + "\n"
