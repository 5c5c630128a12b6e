"""The optional LLM reviewer, against a local server speaking the OpenAI chat protocol."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from taskaudit.audit import audit
from taskaudit.checks.base import AuditConfig
from taskaudit.checks.llm_review import LLMReviewCheck
from taskaudit.llm.config import LLMConfig
from taskaudit.model import CheckStatus
from taskaudit.sandbox import get_backend

from .conftest import example


def answer(outcome: str, quote_file: str, quote: str, under: int) -> str:
    return json.dumps({
        "criteria": [
            {"name": "behavior_in_task_description", "outcome": outcome,
             "explanation": "the tests call parse_duration, which the statement never names",
             "evidence": [{"file": quote_file, "quote": quote},
                          {"file": "statement", "quote": "this sentence is not in the statement"}]},
            {"name": "typos", "outcome": "pass", "explanation": "fine", "evidence": []},
            {"name": "not_a_criterion", "outcome": "fail", "evidence": []},
        ],
        "underspecification": under,
        "rejects_valid_solutions": 1,
    })


class FakeServer:
    """Answers /v1/chat/completions with canned completions, one per request, in turn."""

    def __init__(self, answers: list[str]) -> None:
        self.answers, self.requests = answers, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append((self.path, body, self.headers.get("Authorization")))
                content = outer.answers[(len(outer.requests) - 1) % len(outer.answers)]
                data = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(data.encode())

            def log_message(self, *args):  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def server():
    fake = FakeServer([
        answer("fail", "tests/test_duration.py", "from duration import format_duration, parse_duration", 3),
        answer("fail", "tests/test_duration.py", "assert parse_duration(\"45s\") == 45", 2),
        answer("pass", "statement", "Invalid input must be rejected.", 1),
    ])
    yield fake
    fake.close()


def run(check, task):  # noqa: ANN001
    (report,) = audit([task], get_backend(None), AuditConfig(reference_runs=1), checks=[check]).tasks
    return report


def test_not_configured_is_skipped_and_imports_nothing_networked(monkeypatch):
    for name in ("TASKAUDIT_LLM_URL", "TASKAUDIT_LLM_MODEL", "TASKAUDIT_LLM_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert LLMConfig.from_env() is None
    report = run(LLMReviewCheck(), example("python/underspecified"))
    assert report.checks[0].status == CheckStatus.SKIPPED
    assert report.checks[0].reason == "LLM reviewer not configured"
    code = ("import sys, taskaudit.checks.llm_review, taskaudit.llm.review;"
            "print(sorted(m for m in ('urllib.request', 'http.client') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_samples_agreement_verified_quotes_and_cache(server, tmp_path):
    config = LLMConfig(url=server.url, model="fake-model", api_key="k", samples=3, cache_dir=tmp_path)
    report = run(LLMReviewCheck(config), example("python/underspecified"))
    record = report.checks[0]
    assert record.status == CheckStatus.RAN, record.reason
    assert [p for p, _, _ in server.requests] == ["/v1/chat/completions"] * 3
    assert server.requests[0][1]["model"] == "fake-model"
    assert server.requests[0][2] == "Bearer k"
    by_code = {f.code: f for f in report.findings}
    assert set(by_code) == {"S191", "S192"}
    fail = by_code["S191"]
    assert fail.severity.value == "info" and fail.evidence["opinion"] is True
    assert fail.evidence["criterion"] == "behavior_in_task_description"
    assert fail.evidence["agreement"] == pytest.approx(0.667, abs=0.001)
    assert fail.evidence["votes"] == {"fail": 2, "pass": 1}
    quotes = [q["quote"] for q in fail.evidence["evidence"]]
    assert quotes == ["from duration import format_duration, parse_duration",
                      'assert parse_duration("45s") == 45']
    assert fail.evidence["test_location"]["line"] == 3
    assert by_code["S192"].evidence["median"] == 2
    # Each sample quoted one thing not in the statement: dropped and counted.
    assert record.metrics["quotes_dropped"] == 3 and record.metrics["quotes_kept"] == 3
    assert report.verdict.value != "REJECT"  # opinions never fail a question
    # Same task, same question: answered from the cache, no new request.
    again = run(LLMReviewCheck(config), example("python/underspecified"))
    assert len(server.requests) == 3
    assert [f.code for f in again.findings] == [f.code for f in report.findings]


def test_unreachable_endpoint_is_an_infrastructure_error(tmp_path):
    config = LLMConfig(url="http://127.0.0.1:9/v1", model="m", samples=1, cache_dir=tmp_path,
                       timeout_sec=2)
    report = run(LLMReviewCheck(config), example("python/underspecified"))
    assert report.checks[0].status == CheckStatus.ERRORED
    assert "cannot reach" in report.checks[0].reason
