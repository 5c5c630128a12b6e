"""Input/output examples of programs that read standard input, and the tests that run them.

A statement for a program (rather than a function) shows what it reads and what it prints:

    Input:
    ```
    3
    1 2 3
    ```
    Output:
    ```
    6
    ```

``io_examples`` pairs each fenced block labelled as input (the last line of prose before it
says "Input", "Sample input 1", "stdin"...) with the next block labelled as output. ``program``
finds the reference's program: the one source file (or Go ``package main``, Rust
``src/main.rs``, Java class with ``main``) that reads standard input. The ``*_test_file``
functions write, in the task's own test framework, one test per example that feeds the input to
the program and compares what it prints, by whitespace-separated tokens (the way judges
compare: trailing spaces and the final newline never decide).

How the program runs, per language (inside the sandbox, like every test run):
Python ``sys.executable <file>`` and JavaScript ``node <file>`` as child processes; Go builds
its ``package main`` with the ``go`` of the test run; Rust runs the crate's binary
(``CARGO_BIN_EXE_<name>``, built by cargo for integration tests); Java calls ``main`` in the
test's own JVM with ``System.in``/``System.out`` replaced. TypeScript programs are compiled with the tests (the generated test names the
program with a ``/// <reference path>`` so tsc emits it beside the solution) and run with node.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from taskaudit.spec.statement import Span, span

_FENCE = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", re.M | re.S)
_INPUT_LABEL = re.compile(r"\b(input|stdin)\b", re.I)
_OUTPUT_LABEL = re.compile(r"\b(output|stdout)\b", re.I)

ACTUAL = "TASKAUDIT_ACTUAL="
RAISED = "TASKAUDIT_RAISED="


@dataclass(frozen=True)
class IOExample:
    stdin: str
    stdout: str
    input_span: Span  # the input block (its first line quoted)
    output_span: Span  # the output block


def _label(statement: str, block_start: int, previous_end: int) -> str | None:
    """"input" / "output" from the last non-empty line of prose before a fenced block."""
    before = statement[previous_end:block_start].strip().splitlines()
    if not before:
        return None
    line = before[-1].strip().strip("#*_:` ").strip()
    if len(line) > 60 or re.search(r"format|spec|descri|constraint|schema|grammar", line, re.I):
        return None  # a sentence that mentions input, or the input's format: not an example
    if _INPUT_LABEL.search(line) and not _OUTPUT_LABEL.search(line):
        return "input"
    if _OUTPUT_LABEL.search(line) and not _INPUT_LABEL.search(line):
        return "output"
    return None


def io_examples(statement: str) -> list[IOExample]:
    """Every (input block, output block) pair of ``statement``, in order."""
    found: list[IOExample] = []
    pending: tuple[str, Span] | None = None
    previous_end = 0
    for match in _FENCE.finditer(statement):
        label = _label(statement, match.start(), previous_end)
        previous_end = match.end()
        body = match.group(2)
        where = span(statement, match.start(2), match.start(2) + len(body.split("\n", 1)[0]))
        if label == "input":
            pending = (body, where)
        elif label == "output" and pending is not None:
            found.append(IOExample(pending[0], body, pending[1], where))
            pending = None
    return found


def same_output(actual: str, expected: str) -> bool:
    return actual.split() == expected.split()


# --------------------------------------------------------------------------- the program

_READS_STDIN = {
    "python": re.compile(r"\bsys\.stdin\b|\binput\s*\(|fileinput"),
    "javascript": re.compile(r"process\.stdin|readFileSync\(\s*(?:0|['\"]/dev/stdin['\"])|\breadline\b"),
}


@dataclass(frozen=True)
class Program:
    path: str  # workspace path of its source file (Rust: the package dir; Go: the package dir)
    name: str  # Rust: the binary's name; Java: the class with main; else the file name


def program(workspace: dict[str, bytes], solution_paths: list[str], language: str) -> Program | None:
    """The reference's program that reads standard input, or None (no single one)."""
    texts = {p: c.decode("utf-8", errors="replace") for p, c in workspace.items()}
    if language in (*_READS_STDIN, "typescript"):
        suffixes = {"python": (".py",), "javascript": (".js", ".mjs", ".cjs"),
                    "typescript": (".ts", ".mts", ".cts")}[language]
        reads = _READS_STDIN["javascript" if language == "typescript" else language]
        readers = sorted(p for p in texts if p.endswith(suffixes) and reads.search(texts[p])
                         and not p.endswith(".d.ts")
                         and not re.search(r"(^|/)(tests?/|test_)|\.test\.", p))
        preferred = [p for p in readers if p in solution_paths] or readers
        return Program(preferred[0], PurePosixPath(preferred[0]).name) if len(preferred) == 1 else None
    if language == "go":
        mains = sorted({str(PurePosixPath(p).parent) for p, t in texts.items()
                        if p.endswith(".go") and not p.endswith("_test.go")
                        and re.search(r"^package\s+main\b", t, re.M) and re.search(r"^func\s+main\s*\(", t, re.M)})
        return Program(mains[0], "main") if len(mains) == 1 else None
    if language == "rust":
        import tomllib

        if "src/main.rs" not in texts or "Cargo.toml" not in texts:
            return None
        try:
            name = tomllib.loads(texts["Cargo.toml"]).get("package", {}).get("name")
        except tomllib.TOMLDecodeError:
            return None
        return Program("src/main.rs", str(name)) if name else None
    if language == "java":
        mains = sorted((p, m.group(1)) for p, t in texts.items() if p.endswith(".java")
                       for m in [re.search(r"class\s+(\w+)[^{]*\{(?:(?!\bclass\b).)*?public\s+static\s+void\s+main\s*\(",
                                           t, re.S)] if m)
        return Program(mains[0][0], mains[0][1]) if len(mains) == 1 else None
    return None


# --------------------------------------------------------------------------- test files


def python_test_file(prog: Program, examples: list[IOExample]) -> str:
    lines = [
        "# Generated by taskaudit: each input/output example of the statement, run on the reference.",
        "import os", "import subprocess", "import sys", "",
        f"PROGRAM = os.path.join(os.getcwd(), {prog.path!r})", "",
        "",
        "def _check(stdin, expected):",
        "    done = subprocess.run([sys.executable, PROGRAM], input=stdin, capture_output=True,",
        "                          text=True, timeout=30)",
        "    if done.returncode != 0:",
        f"        raise AssertionError({RAISED!r} + 'exit status %d: %s' % (done.returncode, done.stderr[-300:]))",
        "    if done.stdout.split() != expected.split():",
        f"        raise AssertionError({ACTUAL!r} + repr(done.stdout[:500]))",
    ]
    for i, ex in enumerate(examples):
        lines += ["", "", f"def test_example_{i}():",
                  f"    # statement line {ex.input_span.line}",
                  f"    _check({ex.stdin!r}, {ex.stdout!r})"]
    return "\n".join(lines) + "\n"


def javascript_test_file(prog: Program, examples: list[IOExample], test_import: str) -> str:
    """``test_import``: how the task's tests load ``test`` (kept, so jest/vitest work too)."""
    esm = test_import.lstrip().startswith("import")
    lines = [
        "// Generated by taskaudit: each input/output example of the statement, run on the reference.",
        test_import,
        'import { spawnSync } from "node:child_process";' if esm
        else 'const { spawnSync } = require("node:child_process");',
        'import path from "node:path";' if esm else 'const path = require("node:path");',
        f"const PROGRAM = path.join(process.cwd(), {json.dumps(prog.path)});",
        "function check(stdin, expected) {",
        '  const done = spawnSync(process.execPath, [PROGRAM], { input: stdin, encoding: "utf8", timeout: 30000 });',
        f'  if (done.status !== 0) throw new Error({json.dumps(RAISED)} + "exit status " + done.status + ": " + String(done.stderr).slice(-300));',
        '  const tokens = (s) => s.split(/\\s+/).filter(Boolean).join(" ");',
        f"  if (tokens(done.stdout) !== tokens(expected)) throw new Error({json.dumps(ACTUAL)} + JSON.stringify(done.stdout.slice(0, 500)));",
        "}",
    ]
    for i, ex in enumerate(examples):
        lines.append(f'test("example_{i}", () => check({json.dumps(ex.stdin)}, {json.dumps(ex.stdout)}));')
    return "\n".join(lines) + "\n"


def typescript_test_file(prog: Program, examples: list[IOExample], test_import: str,
                         test_dir_depth: int) -> str:
    """Like ``javascript_test_file``, in TypeScript. ``test_dir_depth``: how many directories
    below the tests directory the generated file sits (for the reference path to the program)."""
    up = "../" * (test_dir_depth + 1)
    compiled = re.sub(r"\.ts$", ".js", re.sub(r"\.mts$", ".mjs", re.sub(r"\.cts$", ".cjs", prog.path)))
    lines = [
        f'/// <reference path="{up}app/{prog.path}" />',
        "// Generated by taskaudit: each input/output example of the statement, run on the reference.",
        test_import,
        'import * as child_process from "node:child_process";',
        'import * as path from "node:path";',
        f"const PROGRAM: string = path.join(process.cwd(), {json.dumps(compiled)});",
        "function check(stdin: string, expected: string): void {",
        '  const done: any = child_process.spawnSync(process.execPath, [PROGRAM], { input: stdin, encoding: "utf8", timeout: 30000 });',
        f'  if (done.status !== 0) throw new Error({json.dumps(RAISED)} + "exit status " + done.status + ": " + String(done.stderr).slice(-300));',
        '  const tokens = (s: string): string => s.split(/\\s+/).filter(Boolean).join(" ");',
        f"  if (tokens(done.stdout) !== tokens(expected)) throw new Error({json.dumps(ACTUAL)} + JSON.stringify(done.stdout.slice(0, 500)));",
        "}",
    ]
    for i, ex in enumerate(examples):
        lines.append(f'test("example_{i}", () => check({json.dumps(ex.stdin)}, {json.dumps(ex.stdout)}));')
    return "\n".join(lines) + "\n"


def go_test_file(package: str, examples: list[IOExample]) -> str:
    lines = [
        "// Generated by taskaudit: each input/output example of the statement, run on the reference.",
        f"package {package}", "",
        "import (", '\t"os"', '\t"os/exec"', '\t"path/filepath"', '\t"runtime"', '\t"strings"',
        '\t"testing"', ")", "",
        "func taskauditRun(t *testing.T, stdin, expected string) {",
        '\tbin := filepath.Join(t.TempDir(), "program")',
        '\tbuild := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")',
        "\tif out, err := build.CombinedOutput(); err != nil {",
        '\t\tt.Fatalf("building the program: %v: %s", err, out)',
        "\t}",
        "\tcmd := exec.Command(bin)",
        "\tcmd.Stdin = strings.NewReader(stdin)",
        "\tcmd.Stderr = os.Stderr",
        "\tout, err := cmd.Output()",
        "\tif err != nil {",
        f'\t\tt.Fatalf("{RAISED}%v", err)',
        "\t}",
        '\tif strings.Join(strings.Fields(string(out)), " ") != strings.Join(strings.Fields(expected), " ") {',
        f'\t\tt.Fatalf("{ACTUAL}%q", out)',
        "\t}",
        "}", "",
    ]
    for i, ex in enumerate(examples):
        lines += [f"func TestStatementExample_{i}(t *testing.T) {{",
                  f"\ttaskauditRun(t, {json.dumps(ex.stdin)}, {json.dumps(ex.stdout)})", "}", ""]
    return "\n".join(lines)


def rust_test_file(prog: Program, examples: list[IOExample]) -> str:
    lines = [
        "// Generated by taskaudit: each input/output example of the statement, run on the reference.",
        "use std::io::Write;", "use std::process::{Command, Stdio};", "",
        "fn taskaudit_run(stdin: &str, expected: &str) {",
        f'    let mut child = Command::new(env!("CARGO_BIN_EXE_{prog.name}"))',
        "        .stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped())",
        '        .spawn().expect("start the program");',
        "    child.stdin.take().unwrap().write_all(stdin.as_bytes()).ok();",
        '    let done = child.wait_with_output().expect("wait for the program");',
        "    if !done.status.success() {",
        f'        panic!("{RAISED}{{}}: {{}}", done.status, String::from_utf8_lossy(&done.stderr));',
        "    }",
        "    let out = String::from_utf8_lossy(&done.stdout).to_string();",
        "    let tokens = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(\" \");",
        "    if tokens(&out) != tokens(expected) {",
        f'        panic!("{ACTUAL}{{:?}}", out);',
        "    }",
        "}", "",
    ]
    for i, ex in enumerate(examples):
        lines += ["#[test]", f"fn example_{i}() {{",
                  f"    taskaudit_run({_rust_str(ex.stdin)}, {_rust_str(ex.stdout)});", "}", ""]
    return "\n".join(lines)


def _rust_str(text: str) -> str:
    """A Rust string literal of ``text`` (Rust writes ``\\u{..}``, not JSON's ``\\u....``)."""
    return '"' + "".join(
        {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch)
        or (ch if ch.isprintable() else f"\\u{{{ord(ch):x}}}") for ch in text) + '"'


def java_test_file(prog: Program, examples: list[IOExample], package: str | None) -> str:
    lines = [
        "// Generated by taskaudit: each input/output example of the statement, run on the reference.",
        *([f"package {package};", ""] if package else []),
        "import org.junit.jupiter.api.Test;", "",
        "class StatementExamplesTest {",
        "    private static synchronized void check(String stdin, String expected) {",
        "        java.io.InputStream in = System.in;",
        "        java.io.PrintStream out = System.out;",
        "        java.io.ByteArrayOutputStream buffer = new java.io.ByteArrayOutputStream();",
        "        try {",
        "            System.setIn(new java.io.ByteArrayInputStream(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8)));",
        "            System.setOut(new java.io.PrintStream(buffer, true, java.nio.charset.StandardCharsets.UTF_8));",
        f"            {prog.name}.main(new String[0]);",
        "        } catch (Throwable e) {",
        f'            throw new AssertionError("{RAISED}" + e.getClass().getName() + ": " + e.getMessage());',
        "        } finally {",
        "            System.out.flush();",
        "            System.setIn(in);",
        "            System.setOut(out);",
        "        }",
        "        String actual = buffer.toString(java.nio.charset.StandardCharsets.UTF_8);",
        '        if (!String.join(" ", actual.trim().split("\\\\s+")).equals(String.join(" ", expected.trim().split("\\\\s+")))) {',
        f'            throw new AssertionError("{ACTUAL}" + actual.replace("\\n", "\\\\n"));',
        "        }",
        "    }",
    ]
    for i, ex in enumerate(examples):
        lines += ["", "    @Test", f"    void example_{i}() {{",
                  f"        check({json.dumps(ex.stdin)}, {json.dumps(ex.stdout)});", "    }"]
    lines.append("}")
    return "\n".join(lines) + "\n"
