"""Mutant schemata for compiled languages: every mutant of a file spliced into one source
behind a runtime switch, so that one build serves them all.

A language's operator pass produces ``Candidate`` objects: a ``Mutant`` (the narrow textual
edit, used for the diff, ids and the rebuild fallback) plus the *site* that the schema wraps
(a syntax node whose value or effect the mutant changes: a comparison, an arithmetic
expression, a statement) and the site's *kind* (how the language wraps it). Candidates on the
same node and kind form one ``Site`` with several alternatives; sites nest by containment.

Rendering a site: the original branch is the node's text with its child sites rendered (so
their mutants stay reachable), each alternative is the node's raw text with its mutant applied
(only one mutant is active at a time, so children need no switch there). The language's
``wrap`` turns (kind, rendered original, [(switch id, alternative text)]) into source text.

When the schema does not compile, ``site_at`` maps a compiler position in the rendered file
back to the innermost site there; that site is dropped and its mutants go to the rebuild path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from taskaudit.mutation.model import Mutant


@dataclass(frozen=True)
class Candidate:
    mutant: Mutant
    site_start: int  # byte span of the node the schema wraps (contains the mutant's span)
    site_end: int
    kind: str  # language-specific: how the site is wrapped ("bool", "stmt", ...)
    data: tuple = ()  # language-specific extras for ``wrap`` (operands' spans, types ...)


@dataclass
class Site:
    file: str
    start: int
    end: int
    kind: str
    data: tuple
    alternatives: list[tuple[int, Candidate]] = field(default_factory=list)  # (switch id, ...)
    children: list[Site] = field(default_factory=list)
    rendered: tuple[int, int] = (0, 0)  # span in the rendered file, set by ``render``

    def alternative_text(self, source: bytes, cand: Candidate) -> str:
        m = cand.mutant
        before = source[self.start : m.start]
        after = source[m.end : self.end]
        return (before + m.replacement.encode() + after).decode()

    @property
    def ids(self) -> list[int]:
        return [i for i, _ in self.alternatives]


# wrap(site, rendered original text, [(switch id, alternative text)], source bytes) -> text
Wrap = Callable[[Site, str, list[tuple[int, str]], bytes], str]


def build_sites(file: str, numbered: list[tuple[int, Candidate]]) -> list[Site]:
    """Group one file's candidates into sites and nest them; returns the top-level sites."""
    by_key: dict[tuple[int, int, str], Site] = {}
    for switch, cand in numbered:
        key = (cand.site_start, cand.site_end, cand.kind)
        site = by_key.get(key)
        if site is None:
            site = by_key[key] = Site(file, cand.site_start, cand.site_end, cand.kind, cand.data)
        site.alternatives.append((switch, cand))
    # Outer first: larger spans before the spans they contain; equal spans by kind name, so
    # the nesting of two kinds on one node is stable.
    ordered = sorted(by_key.values(), key=lambda s: (s.start, -s.end, s.kind))
    roots: list[Site] = []
    stack: list[Site] = []
    for site in ordered:
        while stack and not (stack[-1].start <= site.start and site.end <= stack[-1].end):
            stack.pop()
        if stack:
            parent = stack[-1]
            if site.start < parent.end < site.end:  # partial overlap: cannot nest
                continue
            parent.children.append(site)
        else:
            roots.append(site)
        stack.append(site)
    return roots


ORIGINAL = "\x00TASKAUDIT-ORIGINAL\x00"  # where ``wrap`` puts the original branch


def render(source: bytes, roots: list[Site], wrap: Wrap) -> tuple[str, list[Site]]:
    """The schema text of one file, and every site with its byte span in that text
    (``Site.rendered``), innermost last, for mapping compiler errors back to sites."""

    def render_span(start: int, end: int, sites: list[Site]) -> tuple[bytes, list[tuple[Site, int, int]]]:
        parts: list[bytes] = []
        spans: list[tuple[Site, int, int]] = []
        pos, length = start, 0
        for site in sorted(sites, key=lambda s: s.start):
            chunk = source[pos : site.start]
            parts.append(chunk)
            length += len(chunk)
            text, inner = render_site(site)
            spans.extend((s, a + length, b + length) for s, a, b in inner)
            parts.append(text)
            length += len(text)
            pos = site.end
        parts.append(source[pos:end])
        return b"".join(parts), spans

    def render_site(site: Site) -> tuple[bytes, list[tuple[Site, int, int]]]:
        original, inner = render_span(site.start, site.end, site.children)
        alts = [(switch, site.alternative_text(source, cand)) for switch, cand in site.alternatives]
        wrapped = wrap(site, ORIGINAL, alts, source).encode()
        marker = ORIGINAL.encode()
        at = wrapped.index(marker)
        text = wrapped[:at] + original + wrapped[at + len(marker) :]
        spans = [(site, 0, len(text))] + [(s, a + at, b + at) for s, a, b in inner]
        return text, spans

    text, spans = render_span(0, len(source), roots)
    placed = []
    for site, a, b in spans:
        site.rendered = (a, b)
        placed.append(site)
    return text.decode(), placed


def flatten(sites: list[Site]) -> list[Site]:
    out: list[Site] = []
    for s in sites:
        out.append(s)
        out.extend(flatten(s.children))
    return out


def site_at(text: str, sites: list[Site], line: int, column: int) -> Site | None:
    """The innermost rendered site holding 1-based (line, column) of ``text`` (column in
    bytes, as Go, rustc and javac count it for ASCII), else one overlapping that line."""
    lines = text.encode().split(b"\n")
    if line < 1 or line > len(lines):
        return None
    line_start = sum(len(ln) + 1 for ln in lines[: line - 1])
    line_end = line_start + len(lines[line - 1])
    offset = line_start + max(column - 1, 0)
    holding = [s for s in sites if s.rendered[0] <= offset < s.rendered[1]]
    if not holding:
        holding = [s for s in sites if s.rendered[0] < line_end and line_start < s.rendered[1]]
    if not holding:
        return None
    return min(holding, key=lambda s: s.rendered[1] - s.rendered[0])


def position(source: bytes, offset: int) -> tuple[int, int]:
    """1-based (line, column in characters) of a byte offset."""
    line_start = source.rfind(b"\n", 0, offset) + 1
    line = source.count(b"\n", 0, offset) + 1
    return line, len(source[line_start:offset].decode(errors="replace")) + 1


class MutantMaker:
    """Builds ``Mutant`` objects with stable ids: ``<file>:<line>:<col>:<operator>:<n>``,
    ``n`` counting mutants of one operator at one position in generation order."""

    def __init__(self, path: str, source: bytes) -> None:
        self.path, self.source = path, source
        self.seen: dict[tuple[int, int, str], int] = {}

    def __call__(self, operator: str, start: int, end: int, replacement: str, description: str,
                 context: str = "") -> Mutant:
        line, col = position(self.source, start)
        n = self.seen.get((line, col, operator), 0)
        self.seen[(line, col, operator)] = n + 1
        return Mutant(
            id=f"{self.path}:{line}:{col}:{operator}:{n}",
            operator=operator,
            file=self.path,
            line=line,
            column=col,
            start=start,
            end=end,
            original=self.source[start:end].decode(errors="replace"),
            replacement=replacement,
            description=description,
            context=context,
        )


def numbered(candidates: list[Candidate], mutants: list[Mutant]) -> dict[str, list[tuple[int, Candidate]]]:
    """Per file, (switch id, candidate) for the job's mutants: switch ids are 1-based
    positions in the job's list (0 means no mutant), so the same job gives the same schema."""
    by_id = {c.mutant.id: c for c in candidates}
    out: dict[str, list[tuple[int, Candidate]]] = {}
    for i, m in enumerate(mutants, start=1):
        cand = by_id.get(m.id)
        if cand is not None and cand.mutant == m:
            out.setdefault(m.file, []).append((i, cand))
    return out
