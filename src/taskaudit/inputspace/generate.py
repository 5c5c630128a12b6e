"""Generated inputs: type-aware variations of the seeds, plus Hypothesis examples from the shapes.

Variations change one argument of a seed at a time (the others keep their tested values, so
the input stays close to what the task means): integers get 0, +-1, the negation, a large
value and the constants of the reference and statement +-1; strings get empty, whitespace,
mixed case, punctuation, non-ASCII, long; sequences get empty, one element, duplicates,
reversed, unsorted, negated, long; optional values get None. Hypothesis then draws whole
argument tuples from the shapes. Everything is deterministic for a given seed and bounded by
``max_inputs``.
"""

from __future__ import annotations

import contextlib
import json
import random
import threading
from collections.abc import Iterator

from taskaudit.inputspace.shapes import Shape

LARGE_INT = 10**6
LONG = 40  # elements of a "long" sequence / characters of a long string


def _key(args: tuple) -> str:
    from taskaudit.inputspace.pyharness import encode

    return json.dumps(encode(args), sort_keys=True)


def vary_value(value: object, shape: Shape, constants: list[int], rng: random.Random,
               chars: list[str] = ()) -> Iterator[object]:
    """Neighbours of one tested value, most telling first. ``chars`` are the reference's
    one-character literals: a string gains each of them and its neighbours (``'0'`` -> ``'/'``,
    ``'1'``), where a ``c >= '0'`` vs ``c > '0'`` difference shows."""
    kind = shape.kind
    if kind == "optional":
        yield None
        if value is not None:
            yield from vary_value(value, shape.items[0], constants, rng, chars)
        return
    if isinstance(value, bool) or kind == "bool":
        yield not value if isinstance(value, bool) else True
        return
    if isinstance(value, int) and kind in ("int", "any", "float"):
        yield from (0, 1, -1, value + 1, value - 1, -value, 2, LARGE_INT)
        for c in constants:
            yield from (c - 1, c, c + 1)
        return
    if isinstance(value, float):
        yield from (0.0, -value, value + 0.5, 1.5, -2.25, 1e6)
        return
    if isinstance(value, str):
        yield from ("", " ", "a")
        for c in chars:
            yield value + c
        for c in chars:
            yield from (value + chr(ord(c) - 1), value + chr(ord(c) + 1))
        yield from (f" {value} ", value.upper(), _mixed_case(value), value.swapcase(),
                    value + "!", value + ",.?", value + "7", "\u00e9" + value + "\u00df", value * 3, value[::-1],
                    value.replace(" ", "  ") if " " in value else value + " " + value,
                    (value or "ab") * (LONG // max(1, len(value or "ab")) + 1))
        return
    if isinstance(value, (list, tuple)) and kind in ("list", "any", "tuple") and not (kind == "tuple" and shape.items):
        seq = list(value)
        elem = shape.items[0] if shape.items else Shape("any")
        wrap = type(value)
        yield wrap([])
        if seq:
            yield wrap(seq[:1])
            yield wrap(seq + seq[:1])  # a duplicate
            yield wrap([seq[0]] * 3)
            yield wrap(seq[::-1])
            shuffled = seq[:]
            rng.shuffle(shuffled)
            yield wrap(shuffled)
            if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in seq):
                yield wrap([-v for v in seq])
                yield wrap(seq + [0])
                try:
                    yield wrap(sorted(seq))
                    yield wrap(sorted(seq, reverse=True))
                except TypeError:
                    pass
            yield wrap((seq * (LONG // len(seq) + 1))[:LONG])
            # vary one element, so element-level classes (negative, empty string...) appear too
            for variant in list(vary_value(seq[0], elem, constants, rng, chars))[:6]:
                yield wrap([variant, *seq[1:]])
        return
    if isinstance(value, dict):
        yield {}
        items = list(value.items())
        if items:
            yield dict(items[:1])
        return


def _mixed_case(text: str) -> str:
    return "".join(ch.upper() if i % 2 else ch.lower() for i, ch in enumerate(text)) or "aB"


def variations(seeds: list[tuple], shapes: list[Shape], constants: list[int], rng_seed: int, limit: int,
               chars: list[str] = ()) -> list[tuple]:
    """Argument tuples one argument away from a seed, deduplicated, seeds themselves excluded."""
    rng = random.Random(rng_seed)
    seen = {_key(s) for s in seeds}
    out: list[tuple] = []
    # Round-robin over seeds so a long test file does not use the whole budget on its first seed.
    streams = [_one_argument_changed(seed, i, shape, constants, rng, chars)
               for seed in seeds[:40] for i, shape in enumerate(shapes)]
    while streams and len(out) < limit:
        alive = []
        for stream in streams:
            for args in stream:
                key = _key(args)
                if key not in seen:
                    seen.add(key)
                    out.append(args)
                    alive.append(stream)
                    break
            if len(out) >= limit:
                break
        streams = alive
    return out


def _one_argument_changed(seed: tuple, i: int, shape: Shape, constants: list[int], rng: random.Random,
                          chars: list[str] = ()) -> Iterator[tuple]:
    for value in vary_value(seed[i], shape, constants, rng, chars):
        yield seed[:i] + (value,) + seed[i + 1 :]


def strategy(shape: Shape):
    """A Hypothesis strategy for a shape (None for ``any``: nothing to draw from)."""
    from hypothesis import strategies as st

    kind = shape.kind
    if kind == "int":
        return st.integers(min_value=-1000, max_value=1000)
    if kind == "float":
        # Rounded to 3 decimals: readable evidence (ties between close floats are a spec matter).
        return st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3))
    if kind == "bool":
        return st.booleans()
    if kind == "str":
        # Printable Latin (with accents) and spaces: readable evidence, still non-ASCII.
        return st.text(st.characters(min_codepoint=32, max_codepoint=0x17F, exclude_categories=("Cc", "Cs")), max_size=12)
    if kind == "none":
        return st.none()
    inner = [strategy(s) for s in shape.items]
    if any(s is None for s in inner):
        return None
    if kind == "optional":
        return st.one_of(st.none(), inner[0])
    if kind == "list":
        return st.lists(inner[0], max_size=12)
    if kind == "set":
        return st.sets(inner[0], max_size=8)
    if kind == "tuple":
        return st.tuples(*inner)
    if kind == "dict":
        return st.dictionaries(inner[0], inner[1], max_size=6)
    return None


# Hypothesis keeps global state while a test runs (its seeded PRNG context, the engine's
# caches): two tasks drawing at once on the threads of the local executor changed each other's
# draws, so the same task got different inputs depending on what ran beside it.
_HYPOTHESIS_LOCK = threading.Lock()


@contextlib.contextmanager
def _without_local_constants():
    """Hypothesis (6.131+) mixes literals from the source of every non-library module in
    ``sys.modules`` into what it draws, so the same seed drew different inputs in the CLI, under
    pytest and in a Ray worker (different modules imported). Generated inputs must depend on the
    task alone: hide those constants while drawing. Private API, so guarded: on a Hypothesis
    without it there is nothing to hide (tests/inputspace/test_determinism.py pins the effect)."""
    try:
        from hypothesis.internal.conjecture import providers
    except ImportError:  # pragma: no cover
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    if original is None or not hasattr(providers, "Constants"):
        yield
        return
    cache = getattr(providers, "CONSTANTS_CACHE", None)
    providers._get_local_constants = providers.Constants
    if cache is not None:  # keyed by type only: it holds the local constants it saw first
        providers.CONSTANTS_CACHE = type(cache)(1024)
    try:
        yield
    finally:
        providers._get_local_constants = original
        if cache is not None:
            providers.CONSTANTS_CACHE = cache


def hypothesis_inputs(shapes: list[Shape], rng_seed: int, count: int) -> list[tuple]:
    """``count`` argument tuples drawn by Hypothesis, reproducibly (fixed seed, no database)."""
    strategies = [strategy(s) for s in shapes]
    if not shapes or any(s is None for s in strategies) or count <= 0:
        return []
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st

    drawn: list[tuple] = []

    @hypothesis_seed(rng_seed)
    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        deadline=None,
        print_blob=False,
    )
    @given(st.tuples(*strategies))
    def draw(args: tuple) -> None:
        drawn.append(args)

    with _HYPOTHESIS_LOCK, _without_local_constants():
        draw()
    unique: dict[str, tuple] = {}
    for args in drawn:
        unique.setdefault(_key(args), args)
    return list(unique.values())[:count]
