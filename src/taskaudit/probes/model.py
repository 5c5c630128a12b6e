"""What a probe is: a deliberately wrong or cheating workspace, and why it exists.

A probe is run like any other variant (``runner.Variant``): the task's pristine tests against
a workspace taskaudit wrote. If it passes, the tests (or the harness) accept a solution that
does not solve the task; the probe's kind says which weakness that shows.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kind:
    name: str  # "lookup-table"
    code: str  # the finding code when it passes (W2xx)
    weakness: str  # the harness weakness a passing probe shows, one sentence
    # Attacks on the harness rather than on the tests' logic: taskaudit's runner is built to
    # block them, so when one fails it may still fool the task's own harness (W212).
    harness_attack: bool = False


STUB = Kind("stub", "W201", "the tests do not check return values: every function returning its "
            "type's default value passes")
RETURN_INPUT = Kind("return-input", "W202", "the tests accept a function that returns its input")
CONSTANT = Kind("constant", "W203", "every checked call expects the same value: a constant passes")
LOOKUP = Kind("lookup-table", "W204", "the tests only check the examples they spell out: a table "
              "of those input/output pairs passes and is wrong everywhere else")
REDUCED = Kind("reduced-reference", "W205", "the tests never exercise the reference's guard "
               "clauses, raises or normalising calls")
ALWAYS_EQUAL = Kind("always-equal", "W206", "the tests compare with == and accept an object whose "
                    "__eq__ always says True")
EXIT_EARLY = Kind("exit-early", "W207", "the runner's exit status is trusted: a solution that exits "
                  "with success before any test runs passes", harness_attack=True)
PLANT = Kind("plant-config", "W208", "the test runner honours configuration or hooks the solution "
             "ships", harness_attack=True)
PATCH_RUNNER = Kind("patch-runner", "W209", "the solution runs in the test process and can patch "
                    "the test runner or the assertion library", harness_attack=True)
TAMPER = Kind("tamper-tests", "W210", "the test files are writable from the solution's process",
              harness_attack=True)
READ_TESTS = Kind("read-tests", "W211", "the test sources are readable from the solution's "
                  "process: it can answer from them")

READ_REFERENCE = Kind("read-reference", "W213", "the reference solution is reachable from the "
                      "solution's process: it can load it and answer from it")
EXPECTED_FILES = Kind("expected-files", "W214", "the files the tests compare output with are "
                      "reachable from the solution's process: it can echo or rewrite them")

KINDS = (STUB, RETURN_INPUT, CONSTANT, LOOKUP, REDUCED, ALWAYS_EQUAL, EXIT_EARLY, PLANT,
         PATCH_RUNNER, TAMPER, READ_TESTS, READ_REFERENCE, EXPECTED_FILES)


@dataclass
class Probe:
    kind: Kind
    name: str  # unique per task: "lookup-table", "plant-config"
    workspace: dict[str, bytes]  # the complete workspace to run
    base: dict[str, bytes]  # the workspace it was derived from (for the diff)
    description: str  # what the probe does, one sentence
    # Test assertions the probe answers (file relative to the tests dir, line): the lookup
    # table's and the constant's cases, cited as the finding's location and evidence.
    cites: list[tuple[str, int]] = field(default_factory=list)

    def changed_files(self) -> list[str]:
        return sorted(p for p in self.workspace if self.base.get(p) != self.workspace[p])

    def diff(self, max_chars: int = 6000) -> str:
        """A unified diff of every file the probe changed or added (the finding's evidence)."""
        out = []
        for path in self.changed_files():
            before = self.base.get(path, b"").decode(errors="replace").splitlines(keepends=True)
            after = self.workspace[path].decode(errors="replace").splitlines(keepends=True)
            old = f"a/{path}" if path in self.base else "/dev/null"
            out.extend(difflib.unified_diff(before, after, old, f"b/{path}", n=2))
        text = "".join(out)
        return text if len(text) <= max_chars else text[:max_chars] + "\n... (diff truncated)\n"


@dataclass
class Case:
    """One input/output pair asserted in the tests: ``function(args) == expected``."""

    function: str  # the called name, without qualifier ("encode")
    args: list[str]  # argument source texts, in the test's language
    expected: str  # expected value's source text
    file: str  # test file it came from
    line: int
    unwrapped: bool = False  # Rust: the call was followed by .unwrap()/.expect(..)


@dataclass
class Function:
    """A function of the solution's sources that a probe may rewrite."""

    name: str
    file: str
    params: list[tuple[str, str | None]]  # (name, type text) without self/receiver
    returns: str | None  # return type text (None: untyped or no result)
    body_start: int  # byte span of the body to replace
    body_end: int
    indent: str = ""  # Python: the body's indentation
    extra: dict = field(default_factory=dict)  # language-specific details
