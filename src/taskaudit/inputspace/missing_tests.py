"""Missing tests written out: a pytest test that pins the reference's behaviour on one input.

The test is in the task's own style (it imports the function the way the task's tests do)
and is checked by running it, in the sandbox, on the reference (must pass) and on the wrong
variant it targets (must fail). Only a test that does both is offered as evidence.
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass

from taskaudit.inputspace.execute import CallResult
from taskaudit.inputspace.signature import Target
from taskaudit.model import RunStatus, Task

TEST_FILE = "test_taskaudit_missing.py"


@dataclass
class MissingTest:
    path: str
    source: str
    passes_on_reference: bool | None = None
    fails_on_variant: bool | None = None

    @property
    def verified(self) -> bool:
        return bool(self.passes_on_reference and self.fails_on_variant)

    def evidence(self) -> dict:
        return {
            "path": self.path,
            "source": self.source,
            "passes_on_reference": self.passes_on_reference,
            "fails_on_variant": self.fails_on_variant,
        }


def _slug(text: str) -> str:
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()[:40] or "case"


def _import_line(task: Task, target: Target) -> tuple[str, str]:
    """(import statement, how the test calls the function), as the task's tests do it."""
    if task.metadata.get("entry_point"):
        return f"import {target.module}", f"{target.module}.{target.function}"
    return f"from {target.module} import {target.function}", target.function


def python_test(task: Task, target: Target, args: tuple, expected: CallResult, why: str) -> MissingTest | None:
    """The test source, or None when the expected output has no Python literal form."""
    from taskaudit.inputspace.pyharness import decode

    importer, callee = _import_line(task, target)
    call = f"{callee}({', '.join(repr(a) for a in args)})"
    name = f"test_{_slug(target.function)}_{_slug(why)}"
    if expected.kind == "value":
        try:
            value = decode(expected.value)
        except (ValueError, TypeError, KeyError):
            return None
        literal = repr(value)
        try:
            ast.literal_eval(literal)
        except (ValueError, SyntaxError):
            return None
        check = f"    assert {call} == pytest.approx({literal})" if isinstance(value, float) else f"    assert {call} == {literal}"
    elif expected.kind == "raise":
        error = expected.error if isinstance(getattr(builtins, expected.error, None), type) else "Exception"
        check = f"    with pytest.raises({error}):\n        {call}"
    else:
        return None
    source = (
        "# Written by taskaudit (input-space analysis): pins the reference's behaviour on an\n"
        f"# input no test covers ({why}).\n"
        "import pytest\n\n"
        f"{importer}\n\n\n"
        f"def {name}():\n{check}\n"
    )
    return MissingTest(TEST_FILE, source)


def verify(test: MissingTest, task: Task, reference_ws: dict[str, bytes], variant_ws: dict[str, bytes], backend, language,
           on_reference: dict[str, bool | None] | None = None) -> MissingTest:
    """Run the test alone on the reference and on the variant, in the sandbox.

    ``on_reference``: what earlier calls found for the same test source on the same reference
    (filled in here), so a test written for several variants runs on the reference once."""
    from taskaudit.runner import Variant, run_variant

    solo = task.model_copy(update={"test_files": {test.path: test.source.encode()}})
    known = on_reference if on_reference is not None else {}
    if test.source not in known:
        ref = run_variant(solo, Variant("missing-test:reference", reference_ws), backend, language)
        known[test.source] = (all(t.outcome.value == "passed" for t in ref.tests)
                              if ref.status == RunStatus.COMPLETED and ref.tests else None)
    test.passes_on_reference = known[test.source]
    if not test.passes_on_reference:
        return test  # not a test of the reference's behaviour: running it on the variant says nothing
    var = run_variant(solo, Variant("missing-test:variant", variant_ws), backend, language)
    if var.status in (RunStatus.COMPLETED, RunStatus.BUILD_FAILED) and var.status != RunStatus.INFRA_ERROR:
        test.fails_on_variant = var.status == RunStatus.BUILD_FAILED or any(
            t.outcome.value in ("failed", "error") for t in var.tests
        )
    return test
