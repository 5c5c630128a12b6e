"""The shared vocabulary of mutation testing: a mutant, its outcome, a per-task result.

Every language backend (``mutation/<language>.py``) produces ``Mutant`` objects from the
reference's sources and turns them into ``MutantResult`` objects; the check
(``checks/mutation.py``) and the reports read only these types.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from enum import StrEnum

# Operator names, shared by all languages (docs/mutation.md describes each).
OPERATORS = (
    "arithmetic",  # + <-> -, * <-> /, % -> *
    "relational",  # < <-> >=, == <-> !=
    "boundary",  # < <-> <=, > <-> >=
    "logical",  # and <-> or, && <-> ||
    "negation",  # not x -> x, !x -> x, condition -> !condition
    "constant",  # 0 -> 1, n -> n+1, "s" -> "", [..] -> []
    "return_value",  # return x -> return the type's default
    "remove_guard",  # if cond: return/raise ... removed
    "remove_raise",  # raise/throw/panic statement removed
    "remove_call",  # a call statement whose result is unused removed
    "loop_control",  # break <-> continue
    "normalizing_call",  # strip()/lower()/sorted()/trim()/toLowerCase()/sort() removed
)


@dataclass(frozen=True)
class Mutant:
    id: str  # stable: "<file>:<line>:<col>:<operator>:<n>", same input -> same ids
    operator: str  # one of OPERATORS
    file: str  # workspace-relative path of the mutated source
    line: int  # 1-based
    column: int  # 1-based
    start: int  # byte offsets of the replaced span in the original file
    end: int
    original: str  # the replaced source text
    replacement: str  # what replaces it
    description: str = ""  # "replaced < with <="
    # Where the mutated code sits when that matters for classifying a survivor:
    # "error_message" (a string inside a raise/throw/panic or an error constructor),
    # "output_message" (a string only printed or logged). Empty otherwise.
    context: str = ""

    def apply(self, source: bytes) -> bytes:
        """The file's content with this mutant applied (the rebuild / probe path)."""
        return source[: self.start] + self.replacement.encode() + source[self.end :]

    def diff(self, source: bytes) -> str:
        """A unified diff of the mutated file, for evidence."""
        before = source.decode(errors="replace").splitlines(keepends=True)
        after = self.apply(source).decode(errors="replace").splitlines(keepends=True)
        return "".join(difflib.unified_diff(before, after, f"a/{self.file}", f"b/{self.file}", n=1))


def apply_mutants(files: dict[str, bytes], mutants: list[Mutant]) -> dict[str, bytes]:
    """Apply several non-overlapping mutants at once (a probe may remove every guard clause)."""
    out = dict(files)
    by_file: dict[str, list[Mutant]] = {}
    for m in mutants:
        by_file.setdefault(m.file, []).append(m)
    for path, ms in by_file.items():
        source = out[path]
        last_start = len(source) + 1
        for m in sorted(ms, key=lambda m: m.start, reverse=True):
            if m.end > last_start:
                continue  # overlaps one already applied: keep the first
            source = m.apply(source)
            last_start = m.start
        out[path] = source
    return out


class Outcome(StrEnum):
    KILLED = "killed"  # at least one test failed
    SURVIVED = "survived"  # every test that reaches it passed
    NO_COVERAGE = "no_coverage"  # no test reaches the mutated code
    TIMEOUT = "timeout"  # ran past the limit derived from the reference's own time
    CRASH = "crash"  # the test process died (counts as detected, like Stryker's RuntimeError)
    UNVIABLE = "unviable"  # did not compile / load
    ERROR = "error"  # taskaudit could not run it (infrastructure): never counted either way


class SurvivorKind(StrEnum):
    BEHAVIOURAL = "behavioural"  # changes what the solution does
    MESSAGE_ONLY = "message_only"  # changes only an error message or a string no requirement mentions
    LIKELY_EQUIVALENT = "likely_equivalent"  # no difference found on generated inputs / same compiled output
    UNKNOWN = "unknown"


@dataclass
class MutantResult:
    mutant: Mutant
    outcome: Outcome
    killed_by: list[str] = field(default_factory=list)  # test ids that failed (the kill matrix row)
    covered_by: list[str] = field(default_factory=list)  # test ids that reach it
    survivor_kind: SurvivorKind | None = None
    detail: str = ""  # compiler error, crash output, why it is likely equivalent ...
    witness: dict | None = None  # an input on which mutant and reference differ, when one was found
    duration_ms: float = 0.0


@dataclass
class MutationRun:
    """Every mutant of one task and how the tests fared."""

    results: list[MutantResult]
    generated: int  # before sampling
    strategy: str  # "schemata+warm-worker", "rebuild", ...
    tests: list[str] = field(default_factory=list)
    duration_sec: float = 0.0
    notes: list[str] = field(default_factory=list)  # what the backend did (fallbacks, timings)
    files: list[str] = field(default_factory=list)  # the source files that were mutated
    # Measurements of the run (worker peak memory, CPU seconds, median ms per mutant ...).
    stats: dict[str, float] = field(default_factory=dict)

    def count(self, outcome: Outcome) -> int:
        return sum(r.outcome == outcome for r in self.results)

    @property
    def score(self) -> float | None:
        """Detected / (detected + behavioural-or-unclassified survivors + no coverage).

        Unviable, errored and likely-equivalent or message-only survivors are left out, so
        noise neither inflates nor deflates the score (docs/mutation.md)."""
        detected = sum(r.outcome in (Outcome.KILLED, Outcome.TIMEOUT, Outcome.CRASH) for r in self.results)
        missed = sum(
            (r.outcome == Outcome.SURVIVED and r.survivor_kind in (None, SurvivorKind.BEHAVIOURAL, SurvivorKind.UNKNOWN))
            or r.outcome == Outcome.NO_COVERAGE
            for r in self.results
        )
        total = detected + missed
        return detected / total if total else None
