"""Ask the model about a task, check its quotes against the files, combine the samples.

The criteria are named as in Harbor's task checker (``harbor check``), restricted to the ones
about the statement and the tests. Each sample answers every criterion (pass / fail /
not_applicable) with quoted evidence, and scores two 0-3 scales. A quote that is not found
verbatim in the file it names (or, without a file, anywhere in the task) is dropped and counted:
an opinion is only shown with evidence a reviewer can find.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from dataclasses import dataclass, field

from taskaudit.llm.cache import AnswerCache, key
from taskaudit.llm.client import LLMError, complete
from taskaudit.llm.config import LLMConfig
from taskaudit.model import Task

PROMPT_VERSION = "1"
CRITERIA = {
    "behavior_in_task_description": "Every behaviour the tests check is described in the task "
    "statement (names, formats, error cases, edge cases).",
    "behavior_in_tests": "Every behaviour the statement requires is checked by some test.",
    "informative_test_structure": "The tests are organised and named so that a failure says which "
    "requirement was broken.",
    "anti_cheating_measures": "A solution cannot pass by special-casing the test inputs, reading "
    "the tests or the reference, or tampering with the test harness.",
    "structured_data_schema": "When the task asks for structured output (JSON, CSV, a file), the "
    "statement gives its exact schema.",
    "hardcoded_solution": "The reference solution computes its answers rather than hard-coding "
    "what the tests expect.",
    "file_reference_mentioned": "Every file the tests read or expect the solution to create is "
    "named in the statement.",
    "typos": "Names, paths and messages are spelled the same in the statement, the tests and the "
    "reference.",
}
SCALES = {
    "underspecification": "0 = fully specified ... 3 = a correct solution mostly has to guess",
    "rejects_valid_solutions": "0 = any correct solution passes ... 3 = the tests reject most "
    "correct solutions",
}
_OUTCOMES = {"pass", "fail", "not_applicable"}
_MAX_FILE_CHARS = 12_000


@dataclass
class Review:
    samples: int
    criteria: dict[str, dict] = field(default_factory=dict)  # name -> outcome, agreement, ...
    scales: dict[str, dict] = field(default_factory=dict)  # name -> median, values, agreement
    quotes_kept: int = 0
    quotes_dropped: int = 0
    invalid_answers: int = 0


def task_files(task: Task) -> dict[str, str]:
    """The files the model reads, by the labels its quotes must name."""
    files = {"statement": task.statement}
    for label, group in (("starter", task.starter_files), ("solution", task.solution_files),
                         ("tests", task.test_files)):
        for path, content in sorted(group.items()):
            text = content.decode("utf-8", errors="replace")
            if "\0" not in text:
                files[f"{label}/{path}"] = text
    return files


def messages_for(task: Task) -> list[dict]:
    files = task_files(task)
    shown = "\n\n".join(f"=== {name} ===\n{text[:_MAX_FILE_CHARS]}" for name, text in files.items())
    schema = {
        "criteria": [{"name": "<criterion>", "outcome": "pass | fail | not_applicable",
                      "explanation": "<one or two sentences>",
                      "evidence": [{"file": "<a file label from above>", "quote": "<verbatim text>"}]}],
        "underspecification": "<0-3>", "rejects_valid_solutions": "<0-3>",
    }
    system = (
        "You review coding tasks used to train and evaluate AI models. Judge only from the files "
        "given. Quote evidence verbatim (exact substrings of the named file). Do not suggest fixes. "
        "Answer with one JSON object and nothing else.")
    user = (
        f"Task files:\n\n{shown}\n\nCriteria:\n"
        + "\n".join(f"- {name}: {text}" for name, text in CRITERIA.items())
        + "\n\nScales (integers):\n" + "\n".join(f"- {n}: {t}" for n, t in SCALES.items())
        + f"\n\nAnswer in this JSON shape:\n{json.dumps(schema, indent=1)}")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def _parse(text: str) -> dict | None:
    match = re.search(r"\{.*\}", text, re.S)  # some servers wrap JSON in prose or fences
    if not match:
        return None
    try:
        value = json.loads(match.group(0))
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def _verified(evidence: object, files: dict[str, str]) -> tuple[list[dict], int]:
    kept, dropped = [], 0
    for item in evidence if isinstance(evidence, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("quote"), str) or not item["quote"].strip():
            dropped += 1
            continue
        quote, name = item["quote"].strip(), item.get("file")
        where = [name] if isinstance(name, str) and name in files else list(files)
        found = next((f for f in where if quote in files[f]), None)
        if found is None:
            dropped += 1
            continue
        line = files[found][: files[found].find(quote)].count("\n") + 1
        kept.append({"file": found, "line": line, "quote": quote[:300]})
    return kept, dropped


def review(task: Task, config: LLMConfig) -> Review:
    """``config.samples`` answers (cached by content hash), checked and combined."""
    messages = messages_for(task)
    files = task_files(task)
    cache = AnswerCache(config.cache_dir)
    result = Review(samples=config.samples)
    votes: dict[str, list[tuple[str, str, list[dict]]]] = {name: [] for name in CRITERIA}
    scale_values: dict[str, list[int]] = {name: [] for name in SCALES}
    for sample in range(config.samples):
        k = key(PROMPT_VERSION, config.model, config.endpoint, json.dumps(messages), str(sample),
                str(config.temperature))
        text = cache.get(k)
        if text is None:
            text = complete(config, messages, seed=sample)
            cache.put(k, text)
        answer = _parse(text)
        if answer is None:
            result.invalid_answers += 1
            continue
        for item in answer.get("criteria", []) if isinstance(answer.get("criteria"), list) else []:
            if not isinstance(item, dict) or item.get("name") not in CRITERIA:
                continue
            outcome = str(item.get("outcome", "")).lower()
            if outcome not in _OUTCOMES:
                continue
            kept, dropped = _verified(item.get("evidence"), files)
            result.quotes_kept += len(kept)
            result.quotes_dropped += dropped
            votes[item["name"]].append((outcome, str(item.get("explanation", ""))[:500], kept))
        for name in SCALES:
            value = answer.get(name)
            if isinstance(value, (int, float, str)) and str(value).strip().isdigit() and 0 <= int(value) <= 3:
                scale_values[name].append(int(value))
    for name, got in votes.items():
        if not got:
            continue
        counts = Counter(outcome for outcome, *_ in got)
        outcome, n = counts.most_common(1)[0]
        agreeing = [g for g in got if g[0] == outcome]
        result.criteria[name] = {
            "outcome": outcome,
            "agreement": round(n / len(got), 3),
            "votes": dict(counts),
            "explanation": agreeing[0][1],
            "evidence": [q for _, _, quotes in agreeing for q in quotes][:5],
        }
    for name, values in scale_values.items():
        if values:
            median = statistics.median_low(values)
            result.scales[name] = {"median": median, "values": values,
                                   "agreement": round(values.count(median) / len(values), 3)}
    return result


__all__ = ["CRITERIA", "LLMError", "Review", "review"]
