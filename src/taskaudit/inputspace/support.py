"""What input-space analysis needs from a task language, in one place per language.

The analysis (analysis.py) is the same for every language; a language supplies how to find
the functions that take inputs, read the tests' literal arguments, make plausible-wrong
variants of the reference, write a missing test, and which harness runs the calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from taskaudit.inputspace.execute import CallResult
from taskaudit.inputspace.missing_tests import MissingTest
from taskaudit.inputspace.signature import Target
from taskaudit.inputspace.variants import SourceEdit
from taskaudit.model import Task


@dataclass(frozen=True)
class LanguageSupport:
    runtime: str  # the harness: "python" | "javascript" | "go" | "rust" | "java"
    targets: Callable[[Task, dict[str, bytes]], list[Target]]
    seeds: Callable[[dict[str, bytes], Target], list[tuple]]
    wrong_variants: Callable[[str, bytes], list[SourceEdit]]
    missing_test: Callable[[Task, Target, tuple, CallResult, str], MissingTest | None]
    module_of: Callable[[Target], str]  # what the harness loads for a target


def support_for(language: str) -> LanguageSupport | None:
    if language == "python":
        from taskaudit.inputspace.missing_tests import python_test
        from taskaudit.inputspace.seeds import python_seeds
        from taskaudit.inputspace.signature import python_targets
        from taskaudit.inputspace.variants import plausible_wrong

        return LanguageSupport("python", python_targets, python_seeds, plausible_wrong, python_test,
                               lambda t: t.module)
    if language == "javascript":
        from taskaudit.inputspace import javascript as js

        return LanguageSupport("javascript", js.targets, js.seeds, js.plausible_wrong, js.js_test,
                               lambda t: t.path)
    if language == "typescript":
        from taskaudit.inputspace import javascript as js

        return LanguageSupport("typescript", js.targets, js.seeds, js.plausible_wrong, js.js_test,
                               js.js_module_path)
    if language == "go":
        from taskaudit.inputspace import golang
        from taskaudit.inputspace.missing_tests_go import go_test

        return LanguageSupport("go", golang.targets, golang.seeds, golang.plausible_wrong,
                               go_test, lambda t: t.module)
    if language == "rust":
        from taskaudit.inputspace import rust
        from taskaudit.inputspace.missing_tests_rust import rust_test

        return LanguageSupport("rust", rust.targets, rust.seeds, rust.plausible_wrong,
                               rust_test, lambda t: t.module)
    if language == "java":
        from taskaudit.inputspace import java

        return LanguageSupport("java", java.targets, java.seeds, java.plausible_wrong,
                               java.junit_test, lambda t: t.module)
    return None


SUPPORTED = ("python", "javascript", "typescript", "go", "rust", "java")
