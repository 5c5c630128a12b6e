"""Tasks built on disk for the probe tests: the good Python (or Go) example with one thing added."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "tasks"

GOLDEN_TEST = '''import glob
import os

from rle import encode

HERE = os.path.dirname(os.path.abspath(__file__))


def test_encode_matches_the_golden_files():
    cases = sorted(glob.glob(os.path.join(HERE, "cases", "*.in")))
    assert len(cases) == 3
    for path in cases:
        with open(path) as f, open(path[:-3] + ".out") as g:
            assert encode(f.read()) == g.read(), path
'''
GOLDEN_CASES = {"1": ("aaabcc", "3a1b2c"), "2": ("abc", "1a1b1c"), "3": ("xxxxxxxxxxxx", "12x")}


def oracle_in_tests(tmp: Path, language: str) -> Path:
    """The good example with a byte-for-byte copy of its reference in the tests directory
    (a differential-testing oracle a solution can reach)."""
    task = tmp / f"{language}-oracle"
    shutil.copytree(EXAMPLES / language / "good", task)
    solution = {"python": "solution/app/rle.py", "go": "solution/app/rle.go"}[language]
    name = {"python": "oracle_rle.py", "go": "oracle_reference.txt"}[language]
    shutil.copy(task / solution, task / "tests" / name)
    return task


def golden_files(tmp: Path) -> Path:
    """The good Python example whose only test compares encode() with expected-output files."""
    task = tmp / "python-golden"
    shutil.copytree(EXAMPLES / "python" / "good", task)
    (task / "tests" / "test_rle.py").write_text(GOLDEN_TEST)
    cases = task / "tests" / "cases"
    cases.mkdir()
    for stem, (given, want) in GOLDEN_CASES.items():
        (cases / f"{stem}.in").write_text(given)
        (cases / f"{stem}.out").write_text(want)
    return task


GOLDEN_TEST_JS = '''const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const { encode } = require("../app/rle.js");

test("encode matches the golden files", () => {
  const dir = path.join(__dirname, "cases");
  const cases = fs.readdirSync(dir).filter((n) => n.endsWith(".in")).sort();
  assert.equal(cases.length, 3);
  for (const name of cases) {
    const given = fs.readFileSync(path.join(dir, name), "utf8");
    const want = fs.readFileSync(path.join(dir, name.replace(/\\.in$/, ".out")), "utf8");
    assert.equal(encode(given), want, name);
  }
});
'''


def golden_files_js(tmp: Path) -> Path:
    """The good JavaScript example whose only test compares encode() with expected-output files."""
    task = tmp / "javascript-golden"
    shutil.copytree(EXAMPLES / "javascript" / "good", task)
    (task / "tests" / "rle.test.js").write_text(GOLDEN_TEST_JS)
    cases = task / "tests" / "cases"
    cases.mkdir()
    for stem, (given, want) in GOLDEN_CASES.items():
        (cases / f"{stem}.in").write_text(given)
        (cases / f"{stem}.out").write_text(want)
    return task


GOLDEN_TEST_GO = '''package rle_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rle"
)

func TestEncodeMatchesTheGoldenFiles(t *testing.T) {
	cases, _ := filepath.Glob(filepath.Join("testdata", "*.in"))
	if len(cases) != 3 {
		t.Fatalf("want 3 golden cases, found %d", len(cases))
	}
	for _, path := range cases {
		given, _ := os.ReadFile(path)
		want, _ := os.ReadFile(strings.TrimSuffix(path, ".in") + ".out")
		if got, err := rle.Encode(string(given)); err != nil || got != string(want) {
			t.Errorf("%s: Encode = %q, %v; want %q", path, got, err, want)
		}
	}
}
'''


def golden_files_go(tmp: Path) -> Path:
    """The good Go example whose only test compares Encode with testdata/*.out (Go's golden files)."""
    task = tmp / "go-golden"
    shutil.copytree(EXAMPLES / "go" / "good", task)
    (task / "tests" / "rle_test.go").write_text(GOLDEN_TEST_GO)
    cases = task / "tests" / "testdata"
    cases.mkdir()
    for stem, (given, want) in GOLDEN_CASES.items():
        (cases / f"{stem}.in").write_text(given)
        (cases / f"{stem}.out").write_text(want)
    return task
