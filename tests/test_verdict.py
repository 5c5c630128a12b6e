from taskaudit.model import CheckRecord, CheckStatus, Finding, Question, Severity, Status, Verdict
from taskaudit.verdict import keep_finding, overall, question_results


def finding(code: str, question: Question, severity: Severity) -> Finding:
    return Finding(code=code, question=question, severity=severity, title="t", message="m")


def record(name: str, question: Question, status: CheckStatus = CheckStatus.RAN) -> CheckRecord:
    return CheckRecord(name=name, question=question, status=status)


ALL_RAN = [record("s", Question.SPEC), record("reference", Question.VALIDITY), record("w", Question.STRENGTH)]


def test_clean_task_is_accepted():
    questions = question_results([], ALL_RAN)
    assert {q.status for q in questions.values()} == {Status.PASS}
    assert overall(questions, ALL_RAN) == Verdict.ACCEPT


def test_error_finding_rejects_and_warning_revises():
    rejected = question_results([finding("V001", Question.VALIDITY, Severity.ERROR)], ALL_RAN)
    assert rejected[Question.VALIDITY].status == Status.FAIL
    assert overall(rejected, ALL_RAN) == Verdict.REJECT
    revised = question_results([finding("W001", Question.STRENGTH, Severity.WARNING)], ALL_RAN)
    assert revised[Question.STRENGTH].status == Status.WARN
    assert overall(revised, ALL_RAN) == Verdict.REVISE


def test_info_findings_never_change_the_verdict():
    questions = question_results([finding("X", Question.SPEC, Severity.INFO)], ALL_RAN)
    assert overall(questions, ALL_RAN) == Verdict.ACCEPT


def test_question_without_a_check_that_ran_is_not_evaluated_never_pass():
    checks = [record("s", Question.SPEC), record("v", Question.VALIDITY),
              record("w", Question.STRENGTH, CheckStatus.SKIPPED)]
    questions = question_results([], checks)
    assert questions[Question.STRENGTH].status == Status.NOT_EVALUATED


def test_static_validity_checks_alone_never_accept():
    # The interface check ran, the reference did not (a SWE-bench row, a MultiPL-E row).
    checks = [record("s", Question.SPEC), record("interface", Question.VALIDITY),
              record("reference", Question.VALIDITY, CheckStatus.SKIPPED), record("w", Question.STRENGTH)]
    questions = question_results([], checks)
    assert questions[Question.VALIDITY].status == Status.PASS
    assert overall(questions, checks) == Verdict.ERROR
    failing = question_results([finding("V101", Question.VALIDITY, Severity.ERROR)], checks)
    assert overall(failing, checks) == Verdict.REJECT  # a defect found statically still counts


def test_question_score_is_the_last_scored_check():
    checks = [*ALL_RAN, CheckRecord(name="mutation", question=Question.STRENGTH, status=CheckStatus.RAN, score=0.5),
              CheckRecord(name="inputspace", question=Question.STRENGTH, status=CheckStatus.RAN, score=0.8)]
    questions = question_results([], checks)
    assert questions[Question.STRENGTH].score == 0.8
    assert questions[Question.VALIDITY].score is None


def test_errored_check_makes_the_task_error_even_with_defects():
    checks = [*ALL_RAN, record("reference", Question.VALIDITY, CheckStatus.ERRORED)]
    questions = question_results([finding("S001", Question.SPEC, Severity.ERROR)], checks)
    assert overall(questions, checks) == Verdict.ERROR


def test_select_and_ignore_by_prefix_longest_wins():
    assert keep_finding("V004", [], [])
    assert not keep_finding("V004", [], ["V"])
    assert keep_finding("V004", ["V004"], ["V"])
    assert not keep_finding("V004", ["V"], ["V004"])
    assert not keep_finding("S001", ["V"], [])
    assert not keep_finding("V004", ["V004"], ["V004"])  # a tie goes to ignore
