"""Spec/validity opinion from an LLM (optional, off by default).

Runs only when an OpenAI-compatible endpoint is configured (``TASKAUDIT_LLM_URL`` and
``TASKAUDIT_LLM_MODEL``); otherwise the check is skipped with the reason "LLM reviewer not
configured", and nothing networked is imported. Its findings are opinions: severity info,
evidence ``"opinion": true``, with the samples' agreement and only quotes found verbatim in the
task's files. An opinion never changes a verdict and never overrides execution evidence.
"""

from __future__ import annotations

from taskaudit.checks.base import AuditConfig, AuditContext, CheckInfraError, CheckSkipped, register
from taskaudit.llm.config import LLMConfig
from taskaudit.model import Finding, Question, Severity, Task

NAME = "llm-review"

S191 = register("S191", Question.SPEC, Severity.INFO, "LLM reviewer: a criterion fails (opinion)", NAME)
S192 = register("S192", Question.SPEC, Severity.INFO,
                "LLM reviewer: statement underspecified (opinion)", NAME)
S193 = register("S193", Question.SPEC, Severity.INFO,
                "LLM reviewer: tests may reject valid solutions (opinion)", NAME)

# A scale is reported from this median up (0-3).
SCALE_THRESHOLD = 2


class LLMReviewCheck:
    name = NAME
    question = Question.SPEC
    description = "Optional LLM opinion on Harbor-style criteria, with verified quotes and agreement."

    def __init__(self, config: LLMConfig | None = None) -> None:
        self._config = config

    def needs(self, task: Task, config: AuditConfig) -> list[tuple[str, int]]:
        return []

    def run(self, ctx: AuditContext) -> list[Finding]:
        config = self._config or LLMConfig.from_env()
        if config is None:
            raise CheckSkipped("LLM reviewer not configured")
        from taskaudit.llm.review import LLMError, review

        try:
            result = review(ctx.task, config)
        except LLMError as exc:
            raise CheckInfraError(f"LLM reviewer: {exc}") from None
        findings = []
        base = {"opinion": True, "model": config.model, "samples": result.samples,
                "statement_span": None, "test_location": None}
        for name, verdict in sorted(result.criteria.items()):
            if verdict["outcome"] != "fail":
                continue
            findings.append(ctx.finding(
                S191, f"{name}: fail in {verdict['votes'].get('fail', 0)} of "
                f"{sum(verdict['votes'].values())} samples (opinion) - {verdict['explanation']}",
                location=ctx.location("statement"),
                evidence={**base, "criterion": name, **verdict,
                          "statement_span": _statement_quote(verdict["evidence"]),
                          "test_location": _test_quote(verdict["evidence"])}))
        for code, scale in ((S192, "underspecification"), (S193, "rejects_valid_solutions")):
            got = result.scales.get(scale)
            if got and got["median"] >= SCALE_THRESHOLD:
                findings.append(ctx.finding(
                    code, f"{scale} {got['median']}/3 (median of {got['values']}, opinion)",
                    location=ctx.location("statement"), evidence={**base, "scale": scale, **got}))
        ctx.metrics.setdefault(ctx.check_name, {}).update({
            "quotes_kept": float(result.quotes_kept), "quotes_dropped": float(result.quotes_dropped),
            "invalid_answers": float(result.invalid_answers), "samples": float(result.samples)})
        return findings


def _statement_quote(evidence: list[dict]) -> dict | None:
    q = next((e for e in evidence if e["file"] == "statement"), None)
    return {"line": q["line"], "text": q["quote"]} if q else None


def _test_quote(evidence: list[dict]) -> dict | None:
    q = next((e for e in evidence if e["file"].startswith("tests/")), None)
    return {"path": q["file"], "line": q["line"], "text": q["quote"]} if q else None
