"""Sampling, survivor classification and the score rule (no sandbox)."""

from __future__ import annotations

from collections import Counter

from taskaudit.mutation.classify import classify
from taskaudit.mutation.engine import sample
from taskaudit.mutation.model import Mutant, MutantResult, MutationRun, Outcome, SurvivorKind
from taskaudit.mutation.python import PythonMutation, generate_python


def fake(i: int, operator: str) -> Mutant:
    return Mutant(id=f"a.py:{i}:1:{operator}:0", operator=operator, file="a.py", line=i, column=1,
                  start=i, end=i + 1, original="x", replacement="y")


def test_sample_is_deterministic_stratified_and_in_source_order():
    mutants = [fake(i, "constant") for i in range(100)] + [fake(100 + i, "loop_control") for i in range(3)]
    first = sample(mutants, 10, "ab" * 32)
    assert first == sample(mutants, 10, "ab" * 32)
    assert len(first) == 10
    # The rare operator is not crowded out by the common one.
    assert Counter(m.operator for m in first)["loop_control"] == 3
    assert [m.line for m in first] == sorted(m.line for m in first)
    assert sample(mutants, 10, "cd" * 32) != first  # the seed (task content hash) matters
    assert sample(mutants[:5], 10, "ab" * 32) == mutants[:5]


def test_message_only_equivalent_and_behavioural_survivors():
    source = b'def f(x):\n    if x < 0:\n        raise ValueError("negative input")\n    return x + 0\n'
    mutants = {(m.operator, m.original): m for m in generate_python("a.py", source)}
    message = MutantResult(mutants[("constant", '"negative input"')], Outcome.SURVIVED)
    behavioural = MutantResult(mutants[("boundary", "<")], Outcome.SURVIVED)
    killed = MutantResult(mutants[("relational", "<")], Outcome.KILLED)
    classify([message, behavioural, killed], {"a.py": source}, test_files={},
             normalised=PythonMutation().normalised)
    assert message.survivor_kind == SurvivorKind.MESSAGE_ONLY
    assert behavioural.survivor_kind == SurvivorKind.BEHAVIOURAL
    assert killed.survivor_kind is None


def test_a_message_the_tests_quote_is_behavioural():
    source = b'def f(x):\n    raise ValueError("negative input")\n'
    m = next(m for m in generate_python("a.py", source) if m.operator == "constant")
    r = MutantResult(m, Outcome.SURVIVED)
    classify([r], {"a.py": source}, test_files={"test_a.py": b'match="negative input"'})
    assert r.survivor_kind == SurvivorKind.BEHAVIOURAL


def test_same_syntax_tree_is_likely_equivalent():
    source = b"def f(x):\n    return (x)\n"
    m = Mutant(id="a.py:2:12:constant:0", operator="constant", file="a.py", line=2, column=12,
               start=source.rindex(b"(x)"), end=source.rindex(b"(x)") + 3, original="(x)", replacement="x")
    r = MutantResult(m, Outcome.SURVIVED)
    classify([r], {"a.py": source}, normalised=PythonMutation().normalised)
    assert r.survivor_kind == SurvivorKind.LIKELY_EQUIVALENT


def test_differ_hook_can_reclassify_and_attach_a_witness():
    source = b"def f(x):\n    return x < 3\n"
    m = next(m for m in generate_python("a.py", source) if m.operator == "boundary")
    r = MutantResult(m, Outcome.SURVIVED)
    classify([r], {"a.py": source}, differ=lambda res: (SurvivorKind.BEHAVIOURAL, {"input": [3]}))
    assert r.witness == {"input": [3]}
    other = MutantResult(m, Outcome.SURVIVED)
    classify([other], {"a.py": source}, differ=lambda res: (SurvivorKind.LIKELY_EQUIVALENT, None))
    assert other.survivor_kind == SurvivorKind.LIKELY_EQUIVALENT


def test_score_leaves_out_noise():
    m = fake(1, "constant")
    results = [
        MutantResult(m, Outcome.KILLED), MutantResult(m, Outcome.TIMEOUT),
        MutantResult(m, Outcome.SURVIVED, survivor_kind=SurvivorKind.BEHAVIOURAL),
        MutantResult(m, Outcome.SURVIVED, survivor_kind=SurvivorKind.MESSAGE_ONLY),
        MutantResult(m, Outcome.NO_COVERAGE), MutantResult(m, Outcome.UNVIABLE),
        MutantResult(m, Outcome.ERROR),
    ]
    assert MutationRun(results, generated=7, strategy="x").score == 0.5
