"""Validity (interface alignment): does the task tell the solver everything its tests rely on?

A test can only be passed by a solution that uses the exact names, error types, error messages,
files, environment variables and command-line flags the test relies on. When the reference
solution provides one of these and neither the statement nor the starter files give it, a
correct solution written from the statement fails: the classic reason reviewers throw tasks
away. Static (syntax trees of the tests and the reference, see ``spec/code.py``); nothing runs.

Each finding carries the test line that relies on the thing (``test_location``), the reference
line that provides it (``reference_location``) and, where the statement says something related
(an error it does describe, say), that span (``statement_span``).
"""

from __future__ import annotations

import difflib
import re
from pathlib import PurePosixPath

from taskaudit.checks.base import AuditConfig, AuditContext, CheckSkipped, register
from taskaudit.model import Finding, Location, Question, Severity, Task
from taskaudit.spec import code
from taskaudit.spec.code import Occurrence
from taskaudit.spec.statement import find_word, span

NAME = "interface"

V101 = register("V101", Question.VALIDITY, Severity.ERROR,
                "Test needs a name the statement and starter files never give", NAME)
V102 = register("V102", Question.VALIDITY, Severity.WARNING,
                "Test expects an error type the statement never names", NAME)
V103 = register("V103", Question.VALIDITY, Severity.WARNING,
                "Test asserts an error message the statement never gives", NAME)
V104 = register("V104", Question.VALIDITY, Severity.WARNING,
                "Test relies on a file the statement and starter files never name", NAME)
V105 = register("V105", Question.VALIDITY, Severity.WARNING,
                "Test relies on an environment variable the statement never names", NAME)
V106 = register("V106", Question.VALIDITY, Severity.WARNING,
                "Test relies on a command-line flag the statement never names", NAME)
V107 = register("V107", Question.VALIDITY, Severity.WARNING,
                "Test expects an output format the statement never shows", NAME)
V131 = register("V131", Question.VALIDITY, Severity.WARNING,
                "Test needs an interface only the gold patch introduces", NAME)

# A test line asserting an error: pytest.raises, assertRaises, toThrow, assert.throws, rejects,
# assertThrows, should_panic, err.Error(), getMessage(), unwrap_err, expect_err.
_ERROR_ASSERTION = re.compile(
    r"raises|assertRaises|[tT]hrow|rejects|should_panic|getMessage|\.Error\(\)|unwrap_err|"
    r"expect_err|\berr\b|exc_info|excinfo|\.exception\b|\.value\)"
)
_ERROR_TYPE = re.compile(r"\b([A-Z][A-Za-z0-9_]*(?:Error|Exception))\b")
_ENV_LINE = re.compile(r"environ|getenv|Getenv|setenv|Setenv|env::var|process\.env|set_var")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]{2,}$")
_FLAG = re.compile(r"^--?[A-Za-z][\w-]*$")
_ERROR_WORDS = re.compile(r"\b(raise[sd]?|throws?|error|exception|invalid|panics?|reject)", re.I)
_REGEX_META = re.compile(r"\\[.^$*+?()\[\]{}|\\/-]|[\^$]")


class InterfaceCheck:
    name = NAME
    question = Question.VALIDITY
    description = ("Interface alignment: every name, error type and message, file, environment "
                   "variable and flag the tests rely on is given by the statement or starter files.")

    def needs(self, task: Task, config: AuditConfig) -> list[tuple[str, int]]:
        return []

    def run(self, ctx: AuditContext) -> list[Finding]:
        task = ctx.task
        if not task.solution_files:
            raise CheckSkipped("the task ships no reference solution to compare the tests with")
        if not task.test_files:
            raise CheckSkipped("the task has no test files")
        facts = _Facts(task)
        findings: list[Finding] = []
        findings += _names(ctx, facts)
        if facts.swebench and task.language == "python":
            findings += _new_parameters(ctx, facts)
        findings += _errors(ctx, facts)
        findings += _files_env_flags(ctx, facts)
        findings += _output_formats(ctx, facts)
        return findings


class _Facts:
    """What the tests use, what the reference and the starter files define, computed once."""

    def __init__(self, task: Task) -> None:
        self.task = task
        lang = task.language
        self.swebench = task.format == "swebench"
        self.test_uses = code.identifier_uses(task.test_files, lang)
        self.test_defs = code.definitions(task.test_files, lang)
        self.ref_defs = code.definitions(task.solution_files, lang)
        self.starter_defs = code.definitions(task.starter_files, lang)
        self.test_literals = code.string_literals(task.test_files, lang)
        self.test_lines = _lines(task.test_files, lang)

    def known(self, term: str) -> bool:
        """Given to the solver: named in the statement or present in the starter files."""
        return find_word(self.task.statement, term) is not None or code.mentions(
            self.task.starter_files, term
        )


def _lines(files: dict[str, bytes], language: str) -> list[tuple[str, int, str]]:
    """(path, line number, text) of every source line of the test files (not data files)."""
    out = []
    for path in sorted(files):
        if code.language_of(path, language) is None:
            continue
        for number, text in enumerate(files[path].decode("utf-8", errors="replace").splitlines(), 1):
            out.append((path, number, text))
    return out


def _where(ctx: AuditContext, label: str, occ: Occurrence) -> Location:
    found = ctx.location(f"{label}/{occ.path}", occ.line)
    return found or Location(path=f"{label}/{occ.path}", line=occ.line)


def _loc_evidence(ctx: AuditContext, label: str, occ: Occurrence | None) -> dict | None:
    if occ is None:
        return None
    where = _where(ctx, label, occ)
    return {"path": where.path, "line": where.line, "text": occ.line_text}


def _finding(ctx, code_: str, message: str, test_occ: Occurrence, ref_occ: Occurrence | None,
             statement_span=None, **extra) -> Finding:  # noqa: ANN001
    evidence = {
        "test_location": _loc_evidence(ctx, "tests", test_occ),
        "reference_location": _loc_evidence(ctx, "solution", ref_occ),
        "statement_span": statement_span.evidence() if statement_span else None,
        **extra,
    }
    return ctx.finding(code_, message, location=_where(ctx, "tests", test_occ), evidence=evidence)


def _names(ctx: AuditContext, facts: _Facts) -> list[Finding]:
    """Names the tests use that the reference defines and the tests do not."""
    findings = []
    for name in sorted(set(facts.test_uses) & set(facts.ref_defs)):
        if name in facts.test_defs or name in code.CONVENTIONAL or name.startswith("__"):
            continue
        if facts.swebench:
            # The starter files are the pre-patch hunks: a name they already define is old.
            if name in facts.starter_defs or find_word(facts.task.statement, name):
                continue
            use, ref = facts.test_uses[name], facts.ref_defs[name]
            findings.append(_finding(
                ctx, V131,
                f"the test patch uses `{name}`, which only the gold patch defines "
                f"({ref.path}:{ref.line}); the problem statement never names it",
                use, ref, name=name))
            continue
        if facts.known(name):
            continue
        use, ref = facts.test_uses[name], facts.ref_defs[name]
        findings.append(_finding(
            ctx, V101,
            f"the tests use `{name}` ({use.path}:{use.line}), which the reference defines "
            f"({ref.path}:{ref.line}); neither the statement nor the starter files name it, so "
            "a solution written from the statement cannot know it",
            use, ref, name=name))
    return findings


def _new_parameters(ctx: AuditContext, facts: _Facts) -> list[Finding]:
    """SWE-bench: a keyword argument the test patch passes to a function whose new signature,
    with that parameter, only the gold patch introduces."""
    findings = []
    for function, param, ref in _added_parameters(facts.task):
        if names_parameter(facts.task.statement, param):
            continue
        use = _keyword_use(facts.task.test_files, function, param)
        if use is None:
            continue
        findings.append(_finding(
            ctx, V131,
            f"the test patch calls `{function}(..., {param}=...)` ({use.path}:{use.line}); only the "
            f"gold patch adds the parameter `{param}` ({ref.path}:{ref.line}) and the problem "
            "statement never names it", use, ref,
            # what the statement does say about the function (flask-4992 proposes `mode="b"`)
            statement_span=_last_code_mention(facts.task.statement, function),
            name=f"{function}({param}=)"))
    return findings


def _last_code_mention(statement: str, name: str):  # noqa: ANN202 - Span | None
    """The statement's last mention of ``name`` as a call (``name(``), else its first mention."""
    calls = list(re.finditer(rf"(?<![A-Za-z0-9_]){re.escape(name)}\s*\(", statement))
    if calls:
        return span(statement, calls[-1].start(), calls[-1].end())
    return find_word(statement, name)


_PARAM_LINE = re.compile(r"^\s+\*{0,2}([A-Za-z_]\w*)\s*(?::[^=]+?)?\s*(?:=.+?)?,?\s*$")
_SIGNATURE_END = re.compile(r"^\s*\)\s*(?:->.*)?:\s*$")


def _added_parameters(task: Task) -> list[tuple[str, str, Occurrence]]:
    """(function, parameter, the reference line adding it) for every parameter the gold patch
    adds to an existing Python function. Read from the syntax trees where the hunks hold the
    whole signature, else line by line: an added ``name: type = default,`` line inside a
    signature whose ``def`` is above it in the hunk or named by the hunk's header."""
    before = code.python_parameters(task.starter_files)
    after = code.python_parameters(task.solution_files)
    found: dict[tuple[str, str], Occurrence] = {}
    for function, (params, ref) in after.items():
        if function in before:
            for param in params - before[function][0]:
                found.setdefault((function, param), ref)
    sections = task.metadata.get("patch_sections") or {}
    for path, content in sorted(task.solution_files.items()):
        if not path.endswith(".py"):
            continue
        new = content.decode("utf-8", errors="replace").split("\n")
        old = set(task.starter_files.get(path, b"").decode("utf-8", errors="replace").split("\n"))
        for index, line in enumerate(new):
            match = _PARAM_LINE.match(line)
            if not match or line in old or match.group(1) in ("self", "cls"):
                continue
            following = [ln for ln in new[index + 1:index + 12] if ln.strip()]
            closes = next((ln for ln in following if not _PARAM_LINE.match(ln)), "")
            if not _SIGNATURE_END.match(closes):
                continue
            function = _enclosing_def(new, index, sections.get(path, []))
            if function and function != "__init__":
                found.setdefault((function, match.group(1)),
                                 Occurrence(match.group(1), path, index + 1, line.strip()[:300]))
    return [(f, p, ref) for (f, p), ref in sorted(found.items())]


def _enclosing_def(lines: list[str], index: int, sections: list) -> str | None:
    """The function whose signature line ``index`` is in: a ``def`` above it in the same run of
    shown lines, else the header of the hunk that holds the line."""
    for row in range(index, -1, -1):
        if not lines[row].strip():
            break  # the hunk's first line: the def is outside it
        match = re.match(r"\s*(?:async\s+)?def\s+(\w+)\s*\(", lines[row])
        if match:
            return match.group(1)
    header = next((h for start, h in sorted(sections, reverse=True) if start <= index + 1), "")
    match = re.search(r"def\s+(\w+)\s*\(", header or "")
    return match.group(1) if match else None


def _keyword_use(files: dict[str, bytes], function: str, param: str) -> Occurrence | None:
    """The test line passing ``param=`` to a call of ``function`` (calls may span lines)."""
    from taskaudit.spec.examples import _balanced_call

    for path in sorted(files):
        if not path.endswith(".py"):
            continue
        text = files[path].decode("utf-8", errors="replace")
        for call in re.finditer(rf"\b{re.escape(function)}\s*\(", text):
            end = _balanced_call(text, call.start())
            keyword = re.compile(rf"(?<![\w.]){re.escape(param)}\s*=(?!=)")
            found = keyword.search(text, call.end(), end or call.end())
            if found:
                row = text.count("\n", 0, found.start())
                return Occurrence(param, path, row + 1, text.split("\n")[row].strip()[:300])
    return None


def names_parameter(statement: str, param: str) -> bool:
    """The statement names ``param`` as a parameter: ``param=``, inside inline or fenced code,
    or - for a name no English sentence uses (``max_retries``, ``maxRetries``) - anywhere. A
    plain word in prose ("opens a file in text mode") does not name the parameter ``text``."""
    word = rf"(?<![A-Za-z0-9_]){re.escape(param)}(?![A-Za-z0-9_])"
    if re.search(word + r"\s*=", statement):
        return True
    if not re.fullmatch(r"[a-z]+", param):
        return find_word(statement, param) is not None
    code_spans = re.findall(r"```.*?```|`[^`\n]+`", statement, re.S)
    return any(re.search(word, span_) for span_ in code_spans)


def _error_sentence(statement: str):  # noqa: ANN202
    match = _ERROR_WORDS.search(statement)
    return span(statement, match.start(), match.end()) if match else None


def _message_core(literal: str) -> str:
    """A regex (``match=``, ``/.../``) as the literal text it requires: escapes resolved, anchors
    and wildcards dropped (the longest literal run)."""
    if not re.search(r"[\\^$*+?()\[\]{}|]", literal):
        return literal
    text = re.sub(r"\\([.^$*+?()\[\]{}|\\/-])", "\0\\1", literal)
    runs = re.split(r"(?<!\0)[\^$*+?()\[\]{}|]|\\[a-zA-Z]|\.[*+?]?", text)
    best = max(runs, key=len).replace("\0", "")
    return best.strip()


def _reference_gives(files: dict[str, bytes], literal: str) -> Occurrence | None:
    """The reference line holding ``literal`` verbatim, or a long part of it (a message the
    reference builds with a format string: ``f"bad count {n}"`` for ``"bad count 0"``)."""
    found = code.find_text(files, literal)
    if found:
        return found
    for path in sorted(files):
        text = files[path].decode("utf-8", errors="replace")
        match = difflib.SequenceMatcher(None, text, literal, autojunk=False).find_longest_match(
            0, len(text), 0, len(literal))
        if match.size >= max(8, int(0.6 * len(literal))):
            row = text.count("\n", 0, match.a)
            return Occurrence(literal, path, row + 1, text.splitlines()[row].strip()[:300])
    return None


def _errors(ctx: AuditContext, facts: _Facts) -> list[Finding]:
    task, findings = facts.task, []
    seen_types: set[str] = set()
    for path, number, text in facts.test_lines:
        if not _ERROR_ASSERTION.search(text):
            continue
        for err in _ERROR_TYPE.findall(text):
            if err in seen_types or err in facts.ref_defs or err == "AssertionError":
                continue  # a type the reference defines is a name (V101/V131)
            seen_types.add(err)
            if facts.known(err):
                continue
            ref = code.find_text(task.solution_files, err)
            if ref is None:
                continue  # the reference does not raise it by name: nothing to align
            occ = Occurrence(err, path, number, text.strip()[:300])
            findings.append(_finding(
                ctx, V102,
                f"the test expects `{err}` ({path}:{number}); the reference raises it "
                f"({ref.path}:{ref.line}) but the statement never names the error type",
                occ, ref, _error_sentence(task.statement), error_type=err))
    seen_messages: set[str] = set()
    for lit in facts.test_literals:
        if not _ERROR_ASSERTION.search(lit.line_text):
            continue
        message = _message_core(lit.name)
        if len(message) < 6 or not re.search(r"[A-Za-z]{3}", message) or message in seen_messages:
            continue
        if _ERROR_TYPE.fullmatch(message):
            continue  # { name: "TypeError" } names a type (V102), not a message
        ref = _reference_gives(task.solution_files, message)
        if ref is None:
            continue  # a test input, not something the reference produces
        seen_messages.add(message)
        if message_given(task.statement, message) or code.find_text(task.starter_files, message):
            continue
        findings.append(_finding(
            ctx, V103,
            f"the test asserts the error message {message!r} ({lit.path}:{lit.line}); the "
            f"reference produces it ({ref.path}:{ref.line}) but the statement never gives it",
            lit, ref, _error_sentence(task.statement), asserted_message=message))
    return findings


def message_given(statement: str, message: str) -> bool:
    """The statement gives ``message``: verbatim (case and spacing aside), or a quoted part of
    it covering three quarters of it (a message built from a template: "unknown unit 'd'")."""
    norm = lambda t: " ".join(t.lower().split())  # noqa: E731
    text, wanted = norm(statement), norm(message).strip(".")
    if wanted in text:
        return True
    match = difflib.SequenceMatcher(None, text, wanted, autojunk=False).find_longest_match(
        0, len(text), 0, len(wanted))
    return match.size >= 0.75 * len(wanted)


_OUTPUT_ASSERT = re.compile(r"==|\bequal|assertEquals?|assert_eq|Equal\(|toBe|toEqual")


def _shape(text: str) -> str:
    """A string's format with the values taken out: "1h 2m 5s" -> "9a 9a 9a"."""
    return re.sub(r"[A-Za-z]+", "a", re.sub(r"[0-9]+", "9", text))


def _quoted(statement: str) -> list[str]:
    return [a or b or c for a, b, c in re.findall(r'"([^"\n]*)"|`([^`\n]*)`|\'([^\'\n]*)\'', statement)]


def _outside_call(line: str, function: str, value: str) -> bool:
    """Whether ``value`` appears on ``line`` outside the argument list of ``function(...)``."""
    from taskaudit.spec.examples import _balanced_call

    call = re.search(rf"\b{re.escape(function)}\s*\(", line)
    end = _balanced_call(line, call.start()) if call else None
    inside = range(call.start(), end) if call and end else range(0)
    return any(m.start() not in inside for m in re.finditer(re.escape(value), line))


def _output_formats(ctx: AuditContext, facts: _Facts) -> list[Finding]:
    """Exact string outputs with structure (spaces, punctuation) of a function the statement
    shows no output of, in no quoted string of the same shape."""
    from taskaudit.spec.examples import extract

    task, findings, done = facts.task, [], set()
    functions = {n for n in facts.ref_defs if n not in facts.test_defs and n not in code.CONVENTIONAL}
    shapes = {_shape(q) for q in _quoted(task.statement)}
    shown = {e.function for e in extract(task.statement, functions)}
    for lit in facts.test_literals:
        value = lit.name
        if len(value) < 3 or "\n" in value or not re.search(r"[A-Za-z0-9]", value):
            continue
        if not re.search(r"[ :,;|/=()\[\]-]", value) or not _OUTPUT_ASSERT.search(lit.line_text):
            continue
        if re.search(r"\{[^}]*\}|%[sdvrfq]", value):
            continue  # a format string: an assertion's failure message, not an expected output
        called = [f for f in functions if re.search(rf"\b{re.escape(f)}\s*\(", lit.line_text)]
        if not called or called[0] in done or called[0] in shown:
            continue
        if not _outside_call(lit.line_text, called[0], value):
            continue  # the string is the call's argument (an input), not the expected output
        if _shape(value) in shapes or find_word(task.statement, value):
            continue
        function = called[0]
        done.add(function)
        ref = facts.ref_defs[function]
        findings.append(_finding(
            ctx, V107,
            f"the test expects `{function}` to produce exactly {value!r} ({lit.path}:{lit.line}); "
            "the statement shows no output of it and no string of that format",
            lit, ref, statement_span=find_word(task.statement, function), expected_output=value,
            function=function))
    return findings


def _files_env_flags(ctx: AuditContext, facts: _Facts) -> list[Finding]:
    task, findings = facts.task, []
    ref_names = {PurePosixPath(p).name: p for p in task.solution_files}
    starter_names = {PurePosixPath(p).name for p in task.starter_files}
    seen: set[str] = set()
    candidates = list(facts.test_literals)
    if task.language == "python":  # `from rle import encode` relies on the file rle.py
        for path, number, text in facts.test_lines:
            match = re.match(r"\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", text)
            if match:
                module = (match.group(1) or match.group(2)).split(".")[0]
                candidates.append(Occurrence(f"{module}.py", path, number, text.strip()[:300]))
    for lit in candidates:
        value = lit.name.strip()
        if not value or value in seen or "\n" in value:
            continue
        base = PurePosixPath(value).name
        if base in ref_names and base not in starter_names and "." in base:
            seen.add(value)
            stem = PurePosixPath(base).stem
            if find_word(task.statement, base) or find_word(task.statement, stem):
                continue
            ref_path = ref_names[base]
            ref = Occurrence(base, ref_path, 1, f"(the reference's file {ref_path})")
            findings.append(_finding(
                ctx, V104,
                f"the tests rely on the file `{base}` ({lit.path}:{lit.line}), which the "
                "reference provides; the statement never says to create it",
                lit, ref, file=base))
        elif _ENV_NAME.match(value) and _ENV_LINE.search(lit.line_text):
            seen.add(value)
            ref = code.find_text(task.solution_files, value)
            if ref and not facts.known(value):
                findings.append(_finding(
                    ctx, V105,
                    f"the tests set or read the environment variable `{value}` "
                    f"({lit.path}:{lit.line}); the reference reads it ({ref.path}:{ref.line}) "
                    "but the statement never names it",
                    lit, ref, variable=value))
        elif _FLAG.match(value) and len(value) > 2:
            seen.add(value)
            ref = code.find_text(task.solution_files, value)
            if ref and find_word(task.statement, value) is None and code.find_text(
                task.starter_files, value) is None:
                findings.append(_finding(
                    ctx, V106,
                    f"the tests pass the flag `{value}` ({lit.path}:{lit.line}); the reference "
                    f"parses it ({ref.path}:{ref.line}) but the statement never names it",
                    lit, ref, flag=value))
    # process.env.NAME in JavaScript is a member access, not a string.
    for path, number, text in facts.test_lines:
        for value in re.findall(r"process\.env\.([A-Z][A-Z0-9_]{2,})", text):
            if value in seen:
                continue
            seen.add(value)
            ref = code.find_text(task.solution_files, value)
            if ref and not facts.known(value):
                occ = Occurrence(value, path, number, text.strip()[:300])
                findings.append(_finding(
                    ctx, V105,
                    f"the tests set or read the environment variable `{value}` ({path}:{number}); "
                    f"the reference reads it ({ref.path}:{ref.line}) but the statement never names it",
                    occ, ref, variable=value))
    return findings
