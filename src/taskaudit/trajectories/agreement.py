"""Agreement between raters on binary (or any nominal) criteria: Cohen's kappa per pair of
raters, Fleiss' kappa, Krippendorff's alpha (nominal) and Gwet's AC1, per criterion, between
reviewers and between reviewers and taskaudit; and the list of disagreements.

Formulas (written out in docs/agreement.md with a worked example):
- Cohen (1960): kappa = (p_o - p_e) / (1 - p_e), p_e = sum_k p_1k p_2k over items both rated.
- Fleiss (1971): items rated by every rater; P_i = (sum_j n_ij^2 - n) / (n (n - 1)),
  p_j = sum_i n_ij / (N n); kappa = (mean P_i - sum p_j^2) / (1 - sum p_j^2).
- Krippendorff (2004), nominal: coincidences o_ck over units with >= 2 values; alpha =
  1 - (n - 1) sum_{c!=k} o_ck / sum_{c!=k} n_c n_k. Missing ratings allowed.
- Gwet (2008) AC1, several raters: p_a = mean_i sum_k r_ik (r_ik - 1) / (r_i (r_i - 1)) over
  items with >= 2 ratings; pi_k = mean_i r_ik / r_i; p_e = sum_k pi_k (1 - pi_k) / (K - 1).
Undefined values (a denominator of 0: everyone always gave the same answer) are None.
"""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

Ratings = dict[str, dict[str, str]]  # item -> rater -> category


def cohen_kappa(r1: dict[str, str], r2: dict[str, str]) -> float | None:
    items = sorted(set(r1) & set(r2))
    if not items:
        return None
    n = len(items)
    po = sum(r1[i] == r2[i] for i in items) / n
    c1, c2 = Counter(r1[i] for i in items), Counter(r2[i] for i in items)
    pe = sum(c1[k] * c2[k] for k in set(c1) | set(c2)) / (n * n)
    return None if pe == 1 else (po - pe) / (1 - pe)


def fleiss_kappa(ratings: Ratings, raters: list[str]) -> float | None:
    items = [i for i, r in ratings.items() if all(x in r for x in raters)]
    n = len(raters)
    if not items or n < 2:
        return None
    cats = sorted({ratings[i][x] for i in items for x in raters})
    counts = [[sum(ratings[i][x] == c for x in raters) for c in cats] for i in items]
    big_n = len(items)
    p_i = [(sum(v * v for v in row) - n) / (n * (n - 1)) for row in counts]
    p_bar = sum(p_i) / big_n
    p_j = [sum(row[j] for row in counts) / (big_n * n) for j in range(len(cats))]
    pe = sum(p * p for p in p_j)
    return None if pe == 1 else (p_bar - pe) / (1 - pe)


def krippendorff_alpha_nominal(ratings: Ratings) -> float | None:
    o: dict[tuple[str, str], float] = defaultdict(float)
    for by_rater in ratings.values():
        values = list(by_rater.values())
        m = len(values)
        if m < 2:
            continue
        for a in range(m):
            for b in range(m):
                if a != b:
                    o[(values[a], values[b])] += 1 / (m - 1)
    n_c: dict[str, float] = defaultdict(float)
    for (c, _k), v in o.items():
        n_c[c] += v
    n = sum(n_c.values())
    disagree_o = sum(v for (c, k), v in o.items() if c != k)
    disagree_e = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    if n <= 1 or disagree_e == 0:
        return None
    return 1 - (n - 1) * disagree_o / disagree_e


def gwet_ac1(ratings: Ratings, categories: list[str] | None = None) -> float | None:
    items = [r for r in ratings.values() if len(r) >= 2]
    if not items:
        return None
    cats = categories or sorted({v for r in items for v in r.values()})
    k = max(2, len(cats))
    pa = sum(
        sum(c * (c - 1) for c in Counter(r.values()).values()) / (len(r) * (len(r) - 1)) for r in items
    ) / len(items)
    pi = {c: sum(Counter(r.values())[c] / len(r) for r in items) / len(items) for c in cats}
    pe = sum(p * (1 - p) for p in pi.values()) / (k - 1)
    return None if pe == 1 else (pa - pe) / (1 - pe)


class PairAgreement(BaseModel):
    raters: tuple[str, str]
    items: int
    percent: float | None
    cohen_kappa: float | None


class CriterionAgreement(BaseModel):
    criterion: str
    items: int
    raters: list[str]
    percent: float | None = Field(None, description="Share of items on which every rater agrees")
    fleiss_kappa: float | None
    krippendorff_alpha: float | None
    gwet_ac1: float | None
    reviewers_only: dict[str, float | None] = Field(default_factory=dict,
                                                    description="The same figures without taskaudit")
    pairs: list[PairAgreement]
    disagreements: list[dict[str, Any]]


class AgreementReport(BaseModel):
    criteria: list[CriterionAgreement]
    machine_rater: str | None = None


def _norm(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value).strip().lower()
    return {"true": "yes", "1": "yes", "pass": "yes", "y": "yes", "false": "no", "0": "no", "fail": "no",
            "n": "no"}.get(text, text)


def load_ratings(path: Path | str) -> dict[str, Ratings]:
    """criterion -> item -> rater -> value, from CSV (columns item, criterion, rater, value)
    or JSON (a list of such objects). Values yes/no/true/false/1/0 are read as yes/no."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}: invalid JSON at line {e.lineno}: {e.msg}") from e
    else:
        rows = list(csv.DictReader(text.splitlines()))
    out: dict[str, Ratings] = defaultdict(lambda: defaultdict(dict))
    for n, row in enumerate(rows, 1):
        missing = [k for k in ("item", "criterion", "rater", "value") if k not in row or row[k] in (None, "")]
        if missing:
            raise ValueError(f"{path}: row {n}: missing {', '.join(missing)}")
        out[str(row["criterion"])][str(row["item"])][str(row["rater"])] = _norm(row["value"])
    return {c: dict(v) for c, v in out.items()}


def ratings_from_grade(report: dict[str, Any], rater: str = "taskaudit") -> dict[str, Ratings]:
    """taskaudit's automated answers in a grade report (JSON), as one more rater."""
    out: dict[str, Ratings] = defaultdict(dict)
    for t in report.get("trajectories", []):
        for c in t.get("criteria", []):
            if c.get("source") == "automated" and c.get("value") is not None:
                out[c["id"]].setdefault(t["key"], {})[rater] = _norm(c["value"])
    return dict(out)


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def agreement(data: dict[str, Ratings], machine: str | None = None) -> AgreementReport:
    result = []
    for criterion in sorted(data):
        ratings = data[criterion]
        raters = sorted({r for by in ratings.values() for r in by})
        pairs = []
        for a, b in combinations(raters, 2):
            ra = {i: v[a] for i, v in ratings.items() if a in v}
            rb = {i: v[b] for i, v in ratings.items() if b in v}
            both = set(ra) & set(rb)
            pairs.append(PairAgreement(raters=(a, b), items=len(both),
                                       percent=_r(sum(ra[i] == rb[i] for i in both) / len(both)) if both else None,
                                       cohen_kappa=_r(cohen_kappa(ra, rb))))
        multi = [v for v in ratings.values() if len(v) >= 2]
        disagreements = [{"item": i, "ratings": dict(sorted(v.items()))} for i, v in sorted(ratings.items())
                         if len(set(v.values())) > 1]
        humans = [r for r in raters if r != machine]
        only = {i: {r: x for r, x in v.items() if r != machine} for i, v in ratings.items()}
        result.append(CriterionAgreement(
            criterion=criterion, items=len(ratings), raters=raters,
            percent=_r(sum(len(set(v.values())) == 1 for v in multi) / len(multi)) if multi else None,
            fleiss_kappa=_r(fleiss_kappa(ratings, raters)),
            krippendorff_alpha=_r(krippendorff_alpha_nominal(ratings)),
            gwet_ac1=_r(gwet_ac1(ratings)),
            reviewers_only={"fleiss_kappa": _r(fleiss_kappa(only, humans)),
                            "krippendorff_alpha": _r(krippendorff_alpha_nominal(only)),
                            "gwet_ac1": _r(gwet_ac1(only))} if machine and machine in raters else {},
            pairs=pairs, disagreements=disagreements))
    return AgreementReport(criteria=result, machine_rater=machine)


def merge(a: dict[str, Ratings], b: dict[str, Ratings]) -> dict[str, Ratings]:
    out: dict[str, Ratings] = {c: {i: dict(r) for i, r in items.items()} for c, items in a.items()}
    for c, items in b.items():
        for i, r in items.items():
            out.setdefault(c, {}).setdefault(i, {}).update(r)
    return out
