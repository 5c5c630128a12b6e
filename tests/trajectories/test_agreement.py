"""Agreement figures against hand computations on small tables."""

import math

import pytest

from taskaudit.trajectories.agreement import (
    agreement,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha_nominal,
    load_ratings,
    ratings_from_grade,
)

# Five runs rated yes/no by three reviewers on one criterion.
TABLE = {
    "run1": {"r1": "yes", "r2": "yes", "r3": "yes"},
    "run2": {"r1": "yes", "r2": "yes", "r3": "no"},
    "run3": {"r1": "no", "r2": "no", "r3": "no"},
    "run4": {"r1": "yes", "r2": "no", "r3": "yes"},
    "run5": {"r1": "no", "r2": "no", "r3": "no"},
}


def test_cohen_kappa_by_hand():
    """r1 = y y n y n, r2 = y y n n n.
    p_o = 4/5 = 0.8; r1 has 3 yes 2 no, r2 has 2 yes 3 no: p_e = (3*2 + 2*3) / 25 = 0.48;
    kappa = (0.8 - 0.48) / (1 - 0.48) = 0.32 / 0.52 = 8/13."""
    r1 = {i: v["r1"] for i, v in TABLE.items()}
    r2 = {i: v["r2"] for i, v in TABLE.items()}
    assert math.isclose(cohen_kappa(r1, r2), 8 / 13)
    assert cohen_kappa(r1, r1) == 1.0
    assert cohen_kappa({"a": "yes"}, {"a": "yes"}) is None  # p_e = 1: undefined


def test_fleiss_kappa_by_hand():
    """Counts (yes, no) per run: (3,0) (2,1) (0,3) (2,1) (0,3); n = 3 raters, N = 5.
    P_i = (sum n_ij^2 - 3) / 6 = 1, 1/3, 1, 1/3, 1 -> mean 11/15.
    p_yes = 7/15, p_no = 8/15 -> P_e = (49 + 64) / 225 = 113/225.
    kappa = (11/15 - 113/225) / (1 - 113/225) = 52/112 = 13/28."""
    assert math.isclose(fleiss_kappa(TABLE, ["r1", "r2", "r3"]), 13 / 28)


def test_krippendorff_alpha_by_hand():
    """Coincidences (each unit: 3 values, 6 ordered pairs weighted 1/2):
    o_yy = 3 + 1 + 1 = 5, o_yn = o_ny = 1 + 1 = 2, o_nn = 3 + 3 = 6; n_y = 7, n_n = 8, n = 15.
    alpha = 1 - (n - 1) * (o_yn + o_ny) / (n_y n_n + n_n n_y) = 1 - 14 * 4 / 112 = 0.5."""
    assert math.isclose(krippendorff_alpha_nominal(TABLE), 0.5)


def test_gwet_ac1_by_hand():
    """p_a = mean of sum_k r_ik (r_ik - 1) / 6 = (1 + 1/3 + 1 + 1/3 + 1) / 5 = 11/15.
    pi_yes = (1 + 2/3 + 0 + 2/3 + 0) / 5 = 7/15, pi_no = 8/15; K = 2:
    p_e = (7/15 * 8/15 + 8/15 * 7/15) / 1 = 112/225.
    AC1 = (11/15 - 112/225) / (1 - 112/225) = 53/113."""
    assert math.isclose(gwet_ac1(TABLE), 53 / 113)


def test_alpha_with_missing_ratings_matches_the_krippendorff_package():
    kd = pytest.importorskip("krippendorff", reason="dev-only cross-check: pip install krippendorff")
    table = {**TABLE, "run6": {"r1": "yes", "r3": "no"}, "run7": {"r2": "yes"}}
    raters = ["r1", "r2", "r3"]
    items = sorted(table)
    code = {"yes": 1.0, "no": 0.0}
    data = [[code[table[i][r]] if r in table[i] else float("nan") for i in items] for r in raters]
    expected = kd.alpha(reliability_data=data, level_of_measurement="nominal")
    assert math.isclose(krippendorff_alpha_nominal(table), expected, rel_tol=1e-9)


def test_report_lists_disagreements_and_machine_rater(tmp_path):
    csv_file = tmp_path / "ratings.csv"
    rows = ["item,criterion,rater,value"] + [f"{i},tests-untouched,{r},{v}" for i, by in TABLE.items()
                                             for r, v in by.items()]
    csv_file.write_text("\n".join(rows) + "\n")
    data = load_ratings(csv_file)
    grade = {"trajectories": [{"key": i, "criteria": [{"id": "tests-untouched", "source": "automated",
                                                       "value": v["r1"] == "yes"}]} for i, v in TABLE.items()]}
    auto = ratings_from_grade(grade)
    merged = {"tests-untouched": {i: {**data["tests-untouched"][i], **auto["tests-untouched"][i]} for i in TABLE}}
    report = agreement(merged, machine="taskaudit")
    [c] = report.criteria
    assert [d["item"] for d in c.disagreements] == ["run2", "run4"]
    pair = next(p for p in c.pairs if p.raters == ("r1", "taskaudit"))
    assert pair.cohen_kappa == 1.0
    assert c.reviewers_only["fleiss_kappa"] == round(13 / 28, 4)


def test_bad_rows_name_the_file_and_row(tmp_path):
    bad = tmp_path / "r.csv"
    bad.write_text("item,criterion,rater,value\nrun1,c,r1,\n")
    with pytest.raises(ValueError, match=r"r\.csv: row 1: missing value"):
        load_ratings(bad)
