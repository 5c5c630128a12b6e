"""Spans of the statement: where a term is mentioned, quoted as evidence a reviewer can check.

A span carries character offsets, the 1-based line and the quoted text, so a finding can say
"the statement says this, here" (or that it says nothing) without a reviewer searching for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-z0-9_]+")


@dataclass(frozen=True)
class Span:
    start: int  # character offsets into the statement
    end: int
    line: int  # 1-based line of ``start``
    text: str  # the quoted text (the whole line, trimmed, for context)

    def evidence(self) -> dict:
        return {"start": self.start, "end": self.end, "line": self.line, "text": self.text}


def span(statement: str, start: int, end: int) -> Span:
    line = statement.count("\n", 0, start) + 1
    line_start = statement.rfind("\n", 0, start) + 1
    line_end = statement.find("\n", end)
    quoted = statement[line_start : line_end if line_end != -1 else len(statement)].strip()
    return Span(start, end, line, quoted[:300])


def find_word(statement: str, word: str) -> Span | None:
    """The first mention of an identifier as a whole word (case-sensitive: ``Encode`` is not
    ``encode`` in most languages), or of a longer term anywhere."""
    if not word:
        return None
    if _WORD.fullmatch(word):
        match = re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", statement)
    else:
        match = re.search(re.escape(word), statement)
    return span(statement, match.start(), match.end()) if match else None


def sentences(statement: str) -> list[Span]:
    """The statement's prose sentences (outside fenced code blocks), each with its span."""
    found: list[Span] = []
    for match in re.finditer(r"[^.!?\n]+(?:[.!?]+|\n|$)", statement):
        text = match.group(0).strip()
        if len(text) < 3 or text.startswith("```") or in_code_fence(statement, match.start()):
            continue
        start = match.start() + (len(match.group(0)) - len(match.group(0).lstrip()))
        found.append(span(statement, start, start + len(text)))
    return found


def in_code_fence(text: str, offset: int) -> bool:
    return text.count("```", 0, offset) % 2 == 1
