"""Rank N trajectories of one task: gates first, then rubric score, then pairwise judgments.

Pairwise judgments (a reviewer file, or the optional LLM judge) are fitted with the
Bradley-Terry model by Hunter's MM algorithm (Hunter 2004, "MM algorithms for generalized
Bradley-Terry models", eq. 3); a tie counts half a win to each side, and every compared pair
gets a prior of half a win each way so a run that never wins keeps a finite strength.
Intervals come from a seeded bootstrap over the judgments. Ties in the order and majority
cycles among the judgments (A beats B, B beats C, C beats A) are listed, never hidden.
"""

from __future__ import annotations

import json
import math
import random
import tomllib
from collections import defaultdict
from itertools import combinations, permutations
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

PRIOR = 0.5


class Judgment(BaseModel):
    a: str
    b: str
    winner: str = Field(description="a | b | tie")
    reviewer: str = ""
    note: str = ""


class RankEntry(BaseModel):
    key: str
    rank: int
    gates_passed: bool
    score: float | None
    strength: float | None = Field(None, description="Bradley-Terry strength (geometric mean 1)")
    interval: tuple[float, float] | None = Field(None, description="95% bootstrap interval of the strength")
    wins: float = 0.0
    comparisons: int = 0


class Ranking(BaseModel):
    entries: list[RankEntry]
    ties: list[list[str]] = Field(default_factory=list, description="Groups that share a rank")
    cycles: list[list[str]] = Field(default_factory=list, description="Majority-preference cycles")
    judgments: int = 0
    method: str = "all gates met, then number of gates met, then rubric score, then Bradley-Terry strength"


def load_judgments(path: Path | str) -> list[Judgment]:
    """A TOML file with ``[[judgment]]`` tables or a JSON list of ``{a, b, winner, reviewer}``."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        rows = json.loads(text) if path.suffix == ".json" else tomllib.loads(text).get("judgment", [])
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as e:
        raise ValueError(f"{path}: invalid {'JSON' if path.suffix == '.json' else 'TOML'}: {e}") from e
    out = []
    for n, row in enumerate(rows, 1):
        try:
            j = Judgment(**row)
        except Exception as e:  # pydantic's message names the field
            raise ValueError(f"{path}: judgment {n}: {e}") from e
        if j.winner not in ("a", "b", "tie"):
            raise ValueError(f"{path}: judgment {n}: winner must be a, b or tie, not {j.winner!r}")
        out.append(j)
    return out


def bradley_terry(keys: list[str], judgments: list[Judgment], iterations: int = 500,
                  tol: float = 1e-10) -> dict[str, float]:
    """Strengths p_i (geometric mean 1) maximising the Bradley-Terry likelihood, by MM."""
    wins: dict[str, float] = defaultdict(float)
    games: dict[tuple[str, str], float] = defaultdict(float)
    for j in judgments:
        if j.a not in keys or j.b not in keys or j.a == j.b:
            continue
        pair = tuple(sorted((j.a, j.b)))
        games[pair] += 1  # type: ignore[index]
        if j.winner == "tie":
            wins[j.a] += 0.5
            wins[j.b] += 0.5
        else:
            wins[j.a if j.winner == "a" else j.b] += 1
    for a, b in list(games):
        games[(a, b)] += 2 * PRIOR
        wins[a] += PRIOR
        wins[b] += PRIOR
    opponents: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (a, b), n in games.items():
        opponents[a].append((b, n))
        opponents[b].append((a, n))
    p = {k: 1.0 for k in keys}
    for _ in range(iterations):
        new = {}
        for i in keys:
            denom = sum(n / (p[i] + p[j]) for j, n in opponents[i])
            new[i] = wins[i] / denom if denom else p[i]
        g = math.exp(sum(math.log(v) for v in new.values()) / len(new)) if new else 1.0
        new = {k: v / g for k, v in new.items()}
        done = max(abs(new[k] - p[k]) for k in keys) < tol
        p = new
        if done:
            break
    return p


def cycles(keys: list[str], judgments: list[Judgment]) -> list[list[str]]:
    """3-cycles of majority preference (each pair's net wins decide its direction)."""
    net: dict[tuple[str, str], float] = defaultdict(float)
    for j in judgments:
        if j.winner == "tie":
            continue
        w, l_ = (j.a, j.b) if j.winner == "a" else (j.b, j.a)
        net[(w, l_)] += 1
        net[(l_, w)] -= 1
    beats = {(a, b) for (a, b), v in net.items() if v > 0}
    found = []
    for trio in combinations(sorted(keys), 3):
        for x, y, z in permutations(trio):
            if x == min(trio) and (x, y) in beats and (y, z) in beats and (z, x) in beats:
                found.append([x, y, z])
    return found


def rank(grades: list[Any], judgments: list[Judgment], seed: int = 0, n_boot: int = 1000) -> Ranking:
    keys = [g.key for g in grades]
    strength = bradley_terry(keys, judgments) if judgments else {}
    intervals: dict[str, tuple[float, float]] = {}
    if judgments and n_boot > 0:
        rng = random.Random(seed)
        samples: dict[str, list[float]] = defaultdict(list)
        for _ in range(n_boot):
            resample = [judgments[rng.randrange(len(judgments))] for _ in judgments]
            fit = bradley_terry(keys, resample, iterations=200, tol=1e-8)
            for k, v in fit.items():
                samples[k].append(v)
        for k, vals in samples.items():
            vals.sort()
            intervals[k] = (round(vals[int(0.025 * (len(vals) - 1))], 4), round(vals[int(0.975 * (len(vals) - 1))], 4))
    wins: dict[str, float] = defaultdict(float)
    comps: dict[str, int] = defaultdict(int)
    for j in judgments:
        comps[j.a] += 1
        comps[j.b] += 1
        if j.winner == "tie":
            wins[j.a] += 0.5
            wins[j.b] += 0.5
        else:
            wins[j.a if j.winner == "a" else j.b] += 1

    strength = {k: v for k, v in strength.items() if comps[k]}  # never judged: no strength, not 1.0

    def sort_key(g: Any) -> tuple:
        s = round(strength[g.key], 6) if g.key in strength else 0.0
        gates_met = sum(1 for c in getattr(g, "criteria", []) if c.required and c.value is True)
        return (g.error is None, g.gates_passed, gates_met, g.score if g.score is not None else -1.0, s)

    ordered = sorted(grades, key=sort_key, reverse=True)
    entries, rank_no, prev = [], 0, None
    for n, g in enumerate(ordered, 1):
        k = sort_key(g)
        if k != prev:
            rank_no, prev = n, k
        g.rank = rank_no
        entries.append(RankEntry(key=g.key, rank=rank_no, gates_passed=g.gates_passed, score=g.score,
                                 strength=round(strength[g.key], 4) if g.key in strength else None,
                                 interval=intervals.get(g.key) if g.key in strength else None,
                                 wins=wins[g.key], comparisons=comps[g.key]))
    by_rank: dict[int, list[str]] = defaultdict(list)
    for e in entries:
        by_rank[e.rank].append(e.key)
    ties = [group for _, group in sorted(by_rank.items()) if len(group) > 1]
    return Ranking(entries=entries, ties=ties, cycles=cycles(keys, judgments), judgments=len(judgments))
