"""Spec (statement lint): wording a solver cannot act on, read from the statement alone.

Every finding quotes the statement span (character offsets, line and text). Patterns are kept
to ones that can be made precise:

- S101 vague or unmeasurable wording ("fast", "efficiently", "appropriate", "etc.", "and so on",
  "handle edge cases" without saying which);
- S102 essential information only behind a link or an image (the statement says "see <link>"
  or is mostly a link/image with little text of its own);
- S103 two different values for the same named constant or limit (`MAX_LEN` is 64 ... 100);
- S104 the same condition given two different behaviours (return a value vs raise/throw);
- S105 the statement is not in English while the tests are (a stopword-ratio detector);
- S106 the tests drive a program through stdin/argv but the statement describes no input or
  output format;
- S107 the tests build large inputs (10^5 and up) but the statement states no size limit, so
  the solver cannot tell which complexity is required.
"""

from __future__ import annotations

import re
from collections import defaultdict

from taskaudit.checks.base import AuditConfig, AuditContext, register
from taskaudit.model import Finding, Question, Severity, Task
from taskaudit.spec.statement import Span, in_code_fence, span

NAME = "statement-lint"

S101 = register("S101", Question.SPEC, Severity.INFO, "Vague or unmeasurable wording", NAME)
S102 = register("S102", Question.SPEC, Severity.WARNING,
                "Essential information only behind a link or an image", NAME)
S103 = register("S103", Question.SPEC, Severity.WARNING,
                "Statement gives two values for the same constant", NAME)
S104 = register("S104", Question.SPEC, Severity.WARNING,
                "Statement gives two behaviours for the same condition", NAME)
S105 = register("S105", Question.SPEC, Severity.WARNING,
                "Statement is not in English while the tests are", NAME)
S107 = register("S107", Question.SPEC, Severity.INFO,
                "Tests use large inputs but the statement states no size limit", NAME)
S106 = register("S106", Question.SPEC, Severity.WARNING,
                "Tests drive a program whose input/output format the statement never gives", NAME)

_VAGUE = re.compile(
    r"\b(?:efficiently|efficient|fast|quickly|performant|appropriate(?:ly)?|reasonabl[ey]|"
    r"properly|as needed|if necessary|user[- ]friendly|robust(?:ly)?|gracefully|optimal(?:ly)?|"
    r"etc\.?|and so on|and so forth|(?:handle|cover|consider)\s+(?:all\s+)?(?:the\s+)?"
    r"(?:edge|corner)\s+cases)(?![\w-])",
    re.I,
)
# "handle edge cases" is fine when the sentence then says which (a colon, "such as", "like").
_SAYS_WHICH = re.compile(r":|such as|like|including|e\.g\.|namely", re.I)
_LINK = re.compile(r"!\[[^\]]*\]\([^)]+\)|\[[^\]]+\]\((?:https?://)[^)]+\)|https?://\S+")
_SEE_LINK = re.compile(r"\b(?:see|described (?:at|in|here)|as (?:specified|defined|shown) (?:at|in|here)|"
                       r"follow(?:ing)? (?:the )?(?:spec|specification|link)|refer to|details (?:at|in|here))\b"
                       r"[^.\n]{0,80}(?:https?://|\]\()", re.I)
_CONSTANT = re.compile(
    r"`?(?P<name>[A-Z][A-Z0-9_]{2,})`?\s*(?:=|is|equals|of)\s*`?(?P<value>-?\d[\d_,]*(?:\.\d+)?)`?")
_LIMIT = re.compile(
    r"(?P<name>(?:length|size|count|number of \w+|\w+ length|\w+ size))\s+(?:is\s+)?(?:at most|"
    r"up to|no more than|must not exceed|cannot exceed|maximum(?: of)?|limit(?:ed)? (?:of|to))\s+"
    r"(?P<value>\d[\d_,]*)", re.I)
_COND_ACTION = re.compile(
    r"\b(?:if|when)\s+(?P<cond>[^,.;:\n]{3,60}?)\s*,?\s+(?:then\s+)?(?:it\s+|the function\s+)?"
    r"(?P<act>returns?|raises?|throws?|panics?)\b", re.I)
_ACTION_COND = re.compile(
    r"\b(?P<act>returns?|raises?|throws?|panics?)\b[^.;:\n]{0,50}?\b(?:if|when)\s+"
    r"(?P<cond>[^,.;:\n]{3,60})", re.I)

_EN = set("the a an and or of to in is are be it that this for with as on by not no if then "
          "return returns must should each every from at which when where one two".split())
_OTHER = {
    "Spanish": set("el la los las de del que y en un una es por para con no se su al lo como".split()),
    "French": set("le la les des du de et en un une est que pour dans avec ne pas sur au il".split()),
    "German": set("der die das und ist nicht ein eine zu den mit von für auf im dem sich".split()),
    "Portuguese": set("o a os as de do da que e em um uma para com não se por é".split()),
    "Italian": set("il lo la gli le di che e un una per con non si è del della".split()),
}
_PROGRAM = re.compile(r"subprocess\.\w+\(|stdin|input=|spawnSync|execFileSync|execSync|exec\.Command|"
                      r"Command::new|ProcessBuilder|sys\.argv|os\.Args|process\.argv")
# A test input of 10^5 or more: 10**5, 1e6, range(200000), "x" * 100000, 100_000.
# Code that builds an input of 10^5 or more elements: range(10**5), "x" * 100000, .repeat(1e5),
# vec![0; 200_000], make([]int, 100000), new int[100000], Array(100000). A large value alone
# (an expected output, a big number) is not a large input.
_N = r"(?:[1-9]\d{4,}|[1-9]\d{2}(?:_\d{3})+|[1-9]\d{0,2}(?:_\d{3}){2,}|10\s*\*\*\s*(?:[5-9]|\d{2})|1e[5-9])"
_LARGE_INPUT = re.compile(
    r"range\(\s*" + _N + r"|\*\s*" + _N + r"\b|repeat\(\s*" + _N + r"|;\s*" + _N + r"\s*\]|"
    r"make\(\[\]\w+,\s*" + _N + r"|new\s+\w+\[\s*" + _N + r"|Array\(\s*" + _N)
_LIMIT_WORDS = re.compile(r"\b(?:at most|up to|no more than|not exceed|maximum|max|limit|constraints?|"
                          r"large|length|\d+\s*(?:<=|≤|<)|(?:<=|≤|<)\s*\d|10\^|10\*\*|\d{4,}|"
                          r"complexity|O\()", re.I)
_IO_WORDS = re.compile(r"\b(?:input|output|stdin|stdout|standard (?:in|out)|prints?|reads?|"
                       r"line|argument|argv|flag)\b", re.I)


class StatementLintCheck:
    name = NAME
    question = Question.SPEC
    description = "Vague wording, link-only information, contradictions, language, missing I/O format."

    def needs(self, task: Task, config: AuditConfig) -> list[tuple[str, int]]:
        return []

    def run(self, ctx: AuditContext) -> list[Finding]:
        text = ctx.task.statement
        findings: list[Finding] = []
        findings += self._vague(ctx, text)
        findings += self._links(ctx, text)
        findings += self._contradictions(ctx, text)
        findings += self._language(ctx, text)
        findings += self._io_format(ctx, text)
        findings += self._constraints(ctx, text)
        return findings

    def _emit(self, ctx: AuditContext, code: str, message: str, where: Span, **extra) -> Finding:  # noqa: ANN003
        return ctx.finding(code, message, location=ctx.location("statement", where.line),
                           evidence={"statement_span": where.evidence(), "test_location": None, **extra})

    def _vague(self, ctx: AuditContext, text: str) -> list[Finding]:
        out, seen = [], set()
        for match in _VAGUE.finditer(text):
            if in_code_fence(text, match.start()) or _in_code_span(text, match.start()):
                continue
            word = match.group(0).lower()
            if "case" in word:
                rest = text[match.end(): text.find("\n", match.end()) % (len(text) + 1)]
                if _SAYS_WHICH.search(rest[:80]):
                    continue
            if word in seen:
                continue
            seen.add(word)
            where = span(text, match.start(), match.end())
            out.append(self._emit(ctx, S101, f"line {where.line}: {match.group(0)!r} cannot be "
                                  "checked by a test; say what is required (a bound, a list)",
                                  where, wording=match.group(0)))
        return out

    def _links(self, ctx: AuditContext, text: str) -> list[Finding]:
        links = list(_LINK.finditer(text))
        if not links:
            return []
        see = _SEE_LINK.search(text)
        prose = _LINK.sub(" ", text)
        words = len(re.findall(r"[A-Za-z]{2,}", prose))
        if see:
            where = span(text, see.start(), see.end())
            reason = "the statement sends the solver to a link for part of the requirements"
        elif words < 25:
            first = links[0]
            where = span(text, first.start(), first.end())
            reason = f"the statement has {words} words of its own besides links or images"
        else:
            return []
        return [self._emit(ctx, S102, f"line {where.line}: {reason}; the solver (and the "
                           "audit) may not be able to follow it", where,
                           links=[m.group(0) for m in links][:10])]

    def _contradictions(self, ctx: AuditContext, text: str) -> list[Finding]:
        out = []
        values: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        for pattern in (_CONSTANT, _LIMIT):
            for m in pattern.finditer(text):
                name = " ".join(m.group("name").lower().split())
                value = m.group("value").replace("_", "").replace(",", "").rstrip(".")
                values[name].append((value, m.start(), m.end()))
        for name, seen in values.items():
            distinct = {v for v, *_ in seen}
            if len(distinct) > 1:
                (v1, s1, e1), (v2, s2, e2) = seen[0], next(x for x in seen if x[0] != seen[0][0])
                first, second = span(text, s1, e1), span(text, s2, e2)
                out.append(self._emit(
                    ctx, S103, f"{name!r} is {v1} on line {first.line} but {v2} on line "
                    f"{second.line}", first, other_statement_span=second.evidence(), name=name,
                    values=sorted(distinct)))
        actions: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        for pattern in (_COND_ACTION, _ACTION_COND):
            for m in pattern.finditer(text):
                cond = re.sub(r"\b(?:the|a|an|is|are|given|input)\b", " ", m.group("cond").lower())
                cond = " ".join(cond.split())
                kind = "return" if m.group("act").lower().startswith("return") else "error"
                actions[cond].append((kind, m.start(), m.end()))
        for cond, seen in actions.items():
            kinds = {k for k, *_ in seen}
            if len(kinds) > 1 and cond:
                ret = next(x for x in seen if x[0] == "return")
                err = next(x for x in seen if x[0] == "error")
                first, second = span(text, ret[1], ret[2]), span(text, err[1], err[2])
                out.append(self._emit(
                    ctx, S104, f"for the condition {cond!r} the statement says return (line "
                    f"{first.line}) and raise/throw (line {second.line})", first,
                    other_statement_span=second.evidence(), condition=cond))
        return out

    def _language(self, ctx: AuditContext, text: str) -> list[Finding]:
        prose = re.sub(r"```.*?```|`[^`]*`", " ", text, flags=re.S)
        words = [w.lower() for w in re.findall(r"[^\W\d_]+", prose)]
        if len(words) < 20:
            return []
        english = sum(w in _EN for w in words) / len(words)
        non_latin = sum(1 for ch in prose if ch.isalpha() and ord(ch) > 0x24F) / max(
            1, sum(ch.isalpha() for ch in prose))
        scores = {lang: sum(w in stop for w in words) / len(words) for lang, stop in _OTHER.items()}
        language, best = max(scores.items(), key=lambda kv: kv[1])
        if english >= 0.08 or (best < 0.12 and non_latin < 0.3):
            return []
        if non_latin >= 0.3:
            language = "a non-Latin script"
        tests = " ".join(c.decode("utf-8", errors="replace") for c in ctx.task.test_files.values())
        test_words = [w.lower() for w in re.findall(r"[A-Za-z]+", tests)]
        if not test_words or sum(w in _EN for w in test_words) == 0 and not re.search(
                r"\b(?:test|assert|expect)\w*", tests):
            return []
        where = span(text, 0, min(len(text), 80))
        return [self._emit(ctx, S105, f"the statement reads as {language} (English stopwords "
                           f"{english:.0%} of words), while the tests are written in English",
                           where, english_stopword_ratio=round(english, 3), detected=language)]

    def _constraints(self, ctx: AuditContext, text: str) -> list[Finding]:
        return _constraints_finding(self, ctx, text)

    def _io_format(self, ctx: AuditContext, text: str) -> list[Finding]:
        for path in sorted(ctx.task.test_files):
            content = ctx.task.test_files[path].decode("utf-8", errors="replace")
            match = _PROGRAM.search(content)
            if match and not _IO_WORDS.search(text):
                line = content.count("\n", 0, match.start()) + 1
                where = span(text, 0, min(len(text), 80))
                location = ctx.location(f"tests/{path}", line)
                return [ctx.finding(
                    S106, f"the tests run the program ({path}:{line}: {match.group(0)}) but the "
                    "statement never describes its input or output", location=location,
                    evidence={"statement_span": where.evidence(), "test_location": {
                        "path": location.path if location else f"tests/{path}", "line": line,
                        "text": content.splitlines()[line - 1].strip()[:300]}})]
        return []


def _constraints_finding(check, ctx, text):  # noqa: ANN001, ANN202
    for path in sorted(ctx.task.test_files):
        content = ctx.task.test_files[path].decode("utf-8", errors="replace")
        for number, line in enumerate(content.splitlines(), 1):
            stripped = line.strip()
            if stripped.startswith(("#", "//")) or not _LARGE_INPUT.search(line):
                continue
            if _LIMIT_WORDS.search(text):
                return []
            location = ctx.location(f"tests/{path}", number)
            return [ctx.finding(
                S107, f"the tests build a large input ({path}:{number}: {stripped[:80]}) but the "
                "statement states no size limit or required complexity", location=location,
                evidence={"statement_span": None, "test_location": {
                    "path": location.path if location else f"tests/{path}", "line": number,
                    "text": stripped[:300]}})]
    return []


def _in_code_span(text: str, offset: int) -> bool:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("`", line_start, offset) % 2 == 1
