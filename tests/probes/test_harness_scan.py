"""The static scan of a task's own test script: each weakness flagged at its exact line."""

from __future__ import annotations

from pathlib import Path

from taskaudit.probes.harness_scan import fooled_by, scan

ROOT = Path(__file__).resolve().parents[2]


def codes(script: str) -> list[tuple[str, int]]:
    return [(i.code, i.line) for i in scan("test.sh", script.encode()).issues]


def test_reward_from_the_exit_status_is_flagged_at_the_runner_line():
    script = (ROOT / "examples/tasks/python/good/tests/test.sh").read_text()
    result = scan("test.sh", script.encode())
    assert [(i.code, i.line, i.text) for i in result.issues] == [
        ("V201", 5, "if python -m pytest -q /tests; then")
    ]
    assert result.trusts_exit_status and result.python_m_from_workspace


def test_the_example_whose_pipe_loses_the_exit_status_is_flagged_at_the_exact_line():
    script = (ROOT / "examples/tasks/python/harness-trusts-exit-code/tests/test.sh").read_text()
    issues = scan("test.sh", script.encode()).issues
    assert [(i.code, i.line) for i in issues] == [("V202", 7)]
    assert issues[0].text == "python -m pytest -q /tests | tee /logs/verifier/pytest.log"


def test_a_pipe_under_pipefail_keeps_the_status():
    script = "set -o pipefail\ncd /app\npytest /tests | tee log\nif [ $? -eq 0 ]; then echo 1 > /logs/verifier/reward.txt; fi\n"
    assert codes(script) == [("V201", 3)]


def test_or_true_throws_the_status_away():
    script = "pytest /tests || true\necho 1 > /logs/verifier/reward.txt\n"
    assert codes(script) == [("V202", 1)]


def test_per_test_results_are_not_exit_code_trust():
    script = ("pytest /tests --junitxml=/logs/verifier/junit.xml\n"
              "python /tests/grade.py /logs/verifier/junit.xml > /logs/verifier/reward.txt\n")
    assert codes(script) == []


def test_installs_and_downloads_at_test_time():
    script = "\n".join([
        "apt-get install -y curl",                      # 1 V203
        "curl -LsSf https://astral.sh/uv/install.sh | sh",  # 2 V204 (+ a pipe without a runner)
        "pip install pytest==8.3.3",                    # 3 V203
        "npm ci --ignore-scripts",                      # 4 V206: pinned by the lockfile
        "cargo test --offline",                         # 5 runner, offline: no install
        "echo $? > /logs/verifier/reward.txt",
    ]) + "\n"
    assert codes(script) == [("V203", 1), ("V204", 2), ("V203", 3), ("V206", 4), ("V201", 5)]


def test_tests_copied_into_the_workspace():
    script = (ROOT / "examples/tasks/go/good/tests/test.sh").read_text()
    assert codes(script) == [("V205", 4), ("V201", 6)]


def test_continuation_lines_are_one_command_cited_at_its_first_line():
    script = "cd /app\nif node --test \\\n   /tests/a.test.js; then\n  echo 1 > /logs/verifier/reward.txt\nfi\n"
    assert codes(script) == [("V201", 2)]


def test_which_blocked_cheats_a_script_would_have_let_through():
    python = scan("test.sh", (ROOT / "examples/tasks/python/good/tests/test.sh").read_bytes())
    assert "exit status" in fooled_by("exit-early", python)
    assert "pytest.py" in fooled_by("plant-config", python)
    assert fooled_by("tamper-tests", python) is None  # the tests stay in /tests
    java = scan("test.sh", (ROOT / "examples/tasks/java/good/tests/test.sh").read_bytes())
    assert fooled_by("exit-early", java) is None  # surefire reports a JVM that exits
    assert fooled_by("plant-config", java) is None  # not verified for Maven: not claimed
    go = scan("test.sh", (ROOT / "examples/tasks/go/good/tests/test.sh").read_bytes())
    assert "TestMain" in fooled_by("plant-config", go)
    safe = scan("test.sh", b"pytest /tests --junitxml=/logs/verifier/junit.xml\n")
    assert all(fooled_by(k, safe) is None for k in ("exit-early", "plant-config", "patch-runner"))
