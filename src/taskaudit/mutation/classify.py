"""Survivor classification: which surviving mutants are evidence, and which are noise.

A survivor is one of:
- ``message_only``: the mutant changes only the text of an error message (a string or an
  expression inside the arguments of a raised error, a thrown error, a panic, an assert's
  message) or of something only printed or logged. Tests rarely should pin exact messages, so
  such a survivor says little about strength. The backends mark these spans when they
  generate the mutant (``Mutant.context``); a string a test file quotes verbatim is behavioural
  after all (the tests do look at it, just not at this path) and is not excused.
- ``likely_equivalent``: the mutated file is the same program as the original after
  normalisation (the backend's ``normalised``: Python's AST dump), or a ``differ`` (input
  generation, plugged in by the input-space check) found no input on which the two differ.
- ``behavioural``: everything else: a wrong solution every test accepts.
"""

from __future__ import annotations

from collections.abc import Callable

from taskaudit.mutation.model import MutantResult, Outcome, SurvivorKind

# differ(result) -> (kind or None, witness or None): the input-space hook. Returning
# (BEHAVIOURAL, {"input": ..., "reference": ..., "mutant": ...}) attaches a witness;
# (LIKELY_EQUIVALENT, None) says no generated input told them apart; (None, None): no opinion.
Differ = Callable[[MutantResult], "tuple[SurvivorKind | None, dict | None]"]


def classify(
    results: list[MutantResult],
    workspace: dict[str, bytes],
    *,
    test_files: dict[str, bytes] | None = None,
    normalised: Callable[[bytes], str | None] | None = None,
    differ: Differ | None = None,
) -> list[MutantResult]:
    """Set ``survivor_kind`` on every survivor (in place; returns the same list)."""
    tests_text = b"\n".join((test_files or {}).values())
    behavioural = []
    for r in results:
        if r.outcome != Outcome.SURVIVED:
            continue
        r.survivor_kind = _kind(r, workspace, tests_text, normalised)
        if r.survivor_kind == SurvivorKind.BEHAVIOURAL:
            behavioural.append(r)
    if differ is not None and behavioural:
        # A differ with a ``batch`` judges all survivors in one harness run instead of one each.
        batch = getattr(differ, "batch", None)
        verdicts = batch(behavioural) if batch else [differ(r) for r in behavioural]
        for r, (kind, witness) in zip(behavioural, verdicts):
            if kind is not None:
                r.survivor_kind = kind
            if witness is not None:
                r.witness = witness
    return results


def _kind(r: MutantResult, workspace: dict[str, bytes], tests_text: bytes, normalised) -> SurvivorKind:
    m = r.mutant
    if m.context in ("error_message", "output_message"):
        quoted = _literal_body(m.original)
        if not quoted or quoted.encode() not in tests_text:
            r.detail = r.detail or f"changes only an {m.context.replace('_', ' ')}"
            return SurvivorKind.MESSAGE_ONLY
    if normalised is not None and m.file in workspace:
        source = workspace[m.file]
        before, after = normalised(source), normalised(m.apply(source))
        if before is not None and before == after:
            r.detail = r.detail or "the mutated code normalises to the original"
            return SurvivorKind.LIKELY_EQUIVALENT
    return SurvivorKind.BEHAVIOURAL


def _literal_body(text: str) -> str:
    """The characters of a plain string literal (no interpolation), else ''."""
    t = text.lstrip("rRbBuU")
    for q in ('"""', "'''", '"', "'", "`"):
        if len(t) >= 2 * len(q) and t.startswith(q) and t.endswith(q):
            body = t[len(q) : -len(q)]
            return body if len(body) >= 4 and "{" not in body and "${" not in body else ""
    return ""
