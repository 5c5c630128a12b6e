"""The compiled harnesses (Go, Rust) build every variant into one program: a variant that does
not compile is left out and the rest rebuilt, its results "lost" (never a difference)."""

from __future__ import annotations

import pytest

from taskaudit.inputspace.execute import CallResult, HarnessError, HarnessUnsupported
from taskaudit.inputspace.execute_compiled import _leaving_out_broken


def _rows(keep, n_calls=2):
    return [[CallResult("value", value=v) for _ in range(n_calls)] for v in keep]


def test_a_variant_that_does_not_compile_is_left_out_and_the_rest_rebuilt():
    attempts = []

    def attempt(keep):
        attempts.append(list(keep))
        return ({1}, "v1: unused variable") if 1 in keep else _rows(keep)

    results = _leaving_out_broken(3, 2, attempt, HarnessError, "build")
    assert attempts == [[0, 1, 2], [0, 2]]
    assert [r[0].kind for r in results] == ["value", "lost", "value"]
    assert results[2][0].value == 2


def test_the_first_rival_of_a_batch_may_be_the_broken_one():
    results = _leaving_out_broken(2, 1, lambda keep: ({0}, "v0") if 0 in keep else _rows(keep, 1),
                                  HarnessUnsupported, "build")
    assert [r[0].kind for r in results] == ["lost", "value"]


def test_the_only_variant_not_building_or_unnamed_errors_are_the_harness_failing():
    with pytest.raises(HarnessUnsupported, match="cannot be hosted"):
        _leaving_out_broken(1, 1, lambda keep: ({0}, "error in v0"), HarnessUnsupported, "cannot be hosted")
    with pytest.raises(HarnessError, match="did not build: linker"):
        _leaving_out_broken(3, 1, lambda keep: (set(), "linker"), HarnessError, "did not build")


def test_when_no_rival_of_a_batch_compiles_none_is_compared():
    results = _leaving_out_broken(2, 1, lambda keep: (set(keep), "all"), HarnessError, "build")
    assert [r[0].kind for r in results] == ["lost", "lost"]
