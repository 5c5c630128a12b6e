"""HumanEval-X rows (``THUDM/humaneval-x``: one JSONL file per language, ``.jsonl`` or
``.jsonl.gz``): one task per row, with the dataset's reference solution.

Every row has ``task_id`` (``Python/0``, ``JavaScript/0``, ``Java/0``, ``Go/0``, ``C++/0``,
``Rust/0``), ``prompt``, ``declaration``, ``canonical_solution``, ``test`` and ``example_test``;
some files add ``text``, and Go rows add ``import``, ``docstring`` and ``test_setup``. HumanEval-X
evaluates one program per row, assembled as CodeGeeX's ``evaluate_humaneval_x.py`` does; here the
same program is split into a solution (``prompt + canonical_solution``), a starter (``prompt`` and
a stub body) and test files the language module runs with per-test results. Every change of
meaning-preserving form is listed in ``Task.metadata["conversions"]``; what cannot be converted is
a ``LoadError``. See docs/task-format.md, "HumanEval-X".
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

from taskaudit.formats._rows import load_rows
from taskaudit.formats.multipl_e import (
    GO_GUARDS,
    JAVA_IMPORT,
    blank_lines,
    go_import_block,
    go_imports,
    header,
    js_split_final_call,
    parse_python,
    rewrite_java_asserts,
    text_field,
)
from taskaudit.formats.safe_files import DEFAULT_LIMITS, Limits, TaskFormatError
from taskaudit.model import LoadError, Task

FORMAT = "humaneval-x"
FIELDS = ("task_id", "prompt", "declaration", "canonical_solution", "test", "example_test")
PREFIXES = {
    "Python": "python",
    "JavaScript": "javascript",
    "Java": "java",
    "Go": "go",
    "C++": None,
    "CPP": None,
    "Rust": "rust",
}
RUNNERS = {"python": "pytest", "javascript": "node", "go": "go", "java": "junit", "rust": "cargo"}

# CodeGeeX's IMPORT_HELPER["python"]: prepended to every Python program it runs.
PY_HELPER = (
    "import math\nimport re\nimport sys\nimport copy\nimport datetime\nimport itertools\n"
    "import collections\nimport heapq\nimport functools\nimport hashlib\n"
    "try:  # HumanEval-X's harness also imports numpy; taskaudit's sandbox may not have it\n"
    "    import numpy\n    import numpy as np\nexcept ImportError:\n    pass\n"
    "import string\nfrom typing import *\nfrom collections import *\n"
)
# CodeGeeX's IMPORT_HELPER["go"]: the packages its harness imports when the code uses them.
GO_HELPER = ("math", "strings", "fmt", "strconv", "time", "bytes", "regexp", "sort", "math/rand", "crypto/md5")

# The module HumanEval-X's Go harness runs in (CodeGeeX's go/evaluation/go.mod), less the unused
# inflect module, with the go.sum entries testify v1.8.0 needs.
GO_MOD = """module humanEval

go 1.18

require github.com/stretchr/testify v1.8.0

require (
	github.com/davecgh/go-spew v1.1.1 // indirect
	github.com/pmezard/go-difflib v1.0.0 // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)
"""
GO_SUM = """github.com/davecgh/go-spew v1.1.0/go.mod h1:J7Y8YcW2NihsgmVo/mv3lAwl/skON4iLHjSsI+c5H38=
github.com/davecgh/go-spew v1.1.1 h1:vj9j/u1bqnvCEfJOwUhtlOARqs3+rkHYY13jYWTU97c=
github.com/davecgh/go-spew v1.1.1/go.mod h1:J7Y8YcW2NihsgmVo/mv3lAwl/skON4iLHjSsI+c5H38=
github.com/pmezard/go-difflib v1.0.0 h1:4DBwDE0NGyQoBHbLQYPwSUPoCMWR5BEzIk/f1lZbAQM=
github.com/pmezard/go-difflib v1.0.0/go.mod h1:iKH77koFhYxTK1pcRnkKkqfTogsbg7gZNVY4sRDYZ/4=
github.com/stretchr/objx v0.1.0/go.mod h1:HFkY916IF+rwdDfMAkV7OtwuqBVzrE8GR6GFx+wExME=
github.com/stretchr/objx v0.4.0/go.mod h1:YvHI0jy2hoMjB+UWwv71VJQ9isScKT/TqJzVSSt89Yw=
github.com/stretchr/testify v1.7.1/go.mod h1:6Fq8oRcR53rry900zMqJjRRixrwX3KX962/h/Wwjteg=
github.com/stretchr/testify v1.8.0 h1:pSgiaMZlXftHpm5L7V1+rVB+AZJydKsMxsQBIJw4PKk=
github.com/stretchr/testify v1.8.0/go.mod h1:yNjHg4UonilssWZ8iaSj1OCr/vHnekPRkoO+kdMU+MU=
gopkg.in/check.v1 v0.0.0-20161208181325-20d25e280405 h1:yhCVgyC4o1eVCa2tZl7eS0r+SDo693bJlVdllGtEeKM=
gopkg.in/check.v1 v0.0.0-20161208181325-20d25e280405/go.mod h1:Co6ibVJAznAaIkqp8huTwlJQCZ016jof/cbN4VW5Yz0=
gopkg.in/yaml.v3 v3.0.0-20200313102051-9f266ea9e77c/go.mod h1:K4uyk7z7BCEPqu6E+C64Yfv1cQ7kz7rIZviUmN+EgEM=
gopkg.in/yaml.v3 v3.0.1 h1:fxVm/GzAzEWqLHuvctI91KS9hhNmmWOoWu0XTYJS7CA=
gopkg.in/yaml.v3 v3.0.1/go.mod h1:K4uyk7z7BCEPqu6E+C64Yfv1cQ7kz7rIZviUmN+EgEM=
"""


def language_prefix(task_id: Any) -> str | None:
    if not isinstance(task_id, str) or "/" not in task_id:
        return None
    prefix = task_id.split("/", 1)[0]
    return prefix if prefix in PREFIXES else None


def is_humaneval_x(record: dict[str, Any]) -> bool:
    return language_prefix(record.get("task_id")) is not None and "declaration" in record


def load_humaneval_x(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[Task | LoadError]:
    """Every row of a HumanEval-X JSONL file, in file order; bad rows come back as ``LoadError``."""
    return load_rows(
        path,
        limits,
        lambda record, where: text_field(record, "task_id", where, "HumanEval-X", FIELDS),
        lambda record, task_id, where: _task(record, task_id, path, where),
        kind="task_id",
    )


def _task(record: dict[str, Any], task_id: str, path: Path, where: str) -> Task:
    prefix = language_prefix(task_id)
    if prefix is None:
        raise TaskFormatError(
            where, f"task_id {task_id!r} does not start with a HumanEval-X language ({', '.join(p + '/' for p in PREFIXES)})"
        )
    language = PREFIXES[prefix]
    if language is None:
        raise TaskFormatError(
            where,
            "HumanEval-X C++ rows are not supported: C++ is not one of the languages taskaudit runs "
            "(Python, JavaScript/TypeScript, Go, Rust, Java)",
        )
    fields = {n: text_field(record, n, where, "HumanEval-X", FIELDS) for n in ("prompt", "declaration", "canonical_solution", "test")}
    if not fields["test"].strip():
        raise TaskFormatError(where, "field 'test' is empty: nothing would check a solution")
    conversions: list[str] = []
    build = {"python": _python, "javascript": _javascript, "java": _java, "go": _go, "rust": _rust}[language]
    starter, solution, tests, entry = build(record, fields, task_id, path, where, conversions)
    meta = {k: record[k] for k in ("example_test", "text", "docstring", "import", "test_setup") if k in record}
    return Task(
        id=task_id,
        source=str(path),
        format=FORMAT,
        language=language,
        test_runner=RUNNERS[language],
        statement=fields["prompt"],
        starter_files={k: v.encode() for k, v in starter.items()},
        solution_files={k: v.encode() for k, v in solution.items()},
        test_files={k: v.encode() for k, v in tests.items()},
        solution_paths=sorted(solution),
        origin={"statement": where, "tests": where, "solution": where},
        metadata={"humaneval_x": meta, "entry_point": entry, "conversions": conversions},
    )


# --------------------------------------------------------------------------- Python


def _python(record, f, task_id, path, where, conversions):
    prompt, canonical, test = f["prompt"], f["canonical_solution"], f["test"]
    parse_python(prompt, "prompt", where)
    module = parse_python(test, "test", where)
    calls = [
        n
        for n in module.body
        if isinstance(n, ast.Expr)
        and isinstance(n.value, ast.Call)
        and getattr(n.value.func, "id", None) == "check"
    ]
    if len(calls) != 1 or len(calls[0].value.args) != 1 or not hasattr(calls[0].value.args[0], "id"):
        raise TaskFormatError(where, "the test must end with exactly one top-level call check(<function>)")
    entry = calls[0].value.args[0].id
    if not any(getattr(n, "name", None) == "check" for n in module.body):
        raise TaskFormatError(where, "the test does not define check()")
    call = calls[0]
    test = blank_lines(test, call.lineno, call.end_lineno or call.lineno,
                       f"taskaudit: the module-level call check({entry}) runs in test_check() below")
    conversions.append(f"the module-level call check({entry}) became the pytest test test_check()")
    conversions.append("solution.py starts with CodeGeeX's Python import helper (math, re, typing *, ...), as its harness does")
    solution = PY_HELPER + "\n" + prompt + canonical
    parse_python(solution, "prompt + canonical_solution", where)
    tests = (
        header("#", path, where, task_id)
        + "# The row's test, verbatim but for the module-level check() call, then a pytest test.\n"
        "from solution import *  # HumanEval-X runs prompt + solution + test as one module\n"
        "import solution\n\n" + test + "\n\n\ndef test_check():\n"
        f"    check(solution.{entry})\n"
    )
    return {"solution.py": PY_HELPER + "\n" + prompt}, {"solution.py": solution}, {"test_solution.py": tests}, entry


# --------------------------------------------------------------------------- JavaScript

_JS_TOP_NAME = re.compile(r"^(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=|^(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(", re.M)

_CONSOLE_ASSERT = re.compile(r"\bconsole\s*\.\s*assert\s*\(")
CONSOLE_SHIM = """const __taskaudit_console_assert = require("node:assert");
// HumanEval-X's tests call console.assert(), which only prints when the condition is false: a
// failing test program would still pass. Within this file console.assert throws instead.
const console = Object.create(globalThis.console, {
  assert: {
    value: (condition, ...message) => {
      if (!condition) {
        throw new __taskaudit_console_assert.AssertionError({
          message: message.length ? message.map(String).join(" ") : "console.assert failed",
          actual: condition,
          expected: true,
          operator: "console.assert",
        });
      }
    },
  },
});
"""


def _javascript(record, f, task_id, path, where, conversions):
    prompt, canonical, test, declaration = f["prompt"], f["canonical_solution"], f["test"], f["declaration"]
    names = [a or b for a, b in _JS_TOP_NAME.findall(prompt)]
    decl_names = [a or b for a, b in _JS_TOP_NAME.findall(declaration)]
    if not decl_names:
        raise TaskFormatError(where, "the declaration declares no function ('const f = (...) => {' or 'function f(')")
    entry = decl_names[-1]
    if entry not in names:
        raise TaskFormatError(where, f"the prompt does not declare {entry}")
    names = list(dict.fromkeys(names))
    body, call = js_split_final_call(test, where)
    if re.search(r"\bconsole\s*\.\s*assert\b", body) is None:
        raise TaskFormatError(where, "the test makes no console.assert() call: nothing would check a solution")
    # console.assert(value, ...message) -> assert.ok(value, message): the same check, but it throws;
    # the shim below still covers a console.assert that is not called directly.
    free = lambda n: not re.search(rf"\b(?:function\s*\*?\s*|const\s+|let\s+|var\s+|class\s+){n}\b", body)
    assert_name = "assert" if free("assert") else "__taskaudit_assert"
    test_name = "test" if free("test") else "__taskaudit_test"
    body, count = _CONSOLE_ASSERT.subn(f"{assert_name}.ok(", body)
    exports = f"\nmodule.exports = {{ {', '.join(names)} }};\n"
    conversions.append(f"the solution module exports {', '.join(names)}; the test file imports them")
    conversions.append(
        f"{count} console.assert(...) calls rewritten as {assert_name}.ok(...) (node:assert), and console.assert "
        "itself throws in the test file: in Node it only logs, so a failing test would pass"
    )
    conversions.append(f"the final top-level call {call}() runs inside one node:test test")
    tests = (
        header("//", path, where, task_id)
        + f'const {{ test{": " + test_name if test_name != "test" else ""} }} = require("node:test");\n'
        + f'const {assert_name} = require("node:assert");\n'
        + f'const {{ {", ".join(names)} }} = require("../app/solution.js");\n'
        + CONSOLE_SHIM
        + "\n"
        + body
        + f"\n{test_name}({json.dumps(task_id)}, () => {{\n  {call}();\n}});\n"
    )
    starter = prompt + '  throw new Error("not implemented");\n}\n' + exports
    return {"solution.js": starter}, {"solution.js": prompt + canonical + exports}, {"solution.test.js": tests}, entry


# --------------------------------------------------------------------------- Java

_JAVA_TEST_CLASS = re.compile(r"^\s*public\s+class\s+([A-Za-z_]\w*)\b", re.M)
_JAVA_SOLUTION_CLASS = re.compile(r"^\s*(?:public\s+)?class\s+([A-Za-z_]\w*)\s*\{", re.M)


def _java(record, f, task_id, path, where, conversions):
    prompt, canonical, test = f["prompt"], f["canonical_solution"], f["test"]
    sol = _JAVA_SOLUTION_CLASS.search(prompt)
    if not sol:
        raise TaskFormatError(where, "the prompt declares no class")
    klass = sol[1]
    main = _JAVA_TEST_CLASS.search(test)
    if not main:
        raise TaskFormatError(where, "the test declares no public class (HumanEval-X's 'public class Main')")
    main_class = main[1]
    if main_class == klass:
        raise TaskFormatError(where, f"the test's class {main_class} has the name of the solution's class")
    if not re.search(r"public\s+static\s+void\s+main\s*\(", test):
        raise TaskFormatError(where, f"class {main_class} has no main(String[])")
    test_body, rewritten = rewrite_java_asserts(test, where, "test")
    if rewritten:
        conversions.append(
            f"{rewritten} assert statements rewritten as 'if (!(cond)) throw new AssertionError(...)' "
            "(taskaudit's JUnit harness runs without -ea)"
        )
    imports = "".join(m[0] + "\n" for m in JAVA_IMPORT.finditer(prompt))
    entry_m = list(re.finditer(r"public\s+(?:static\s+)?[\w<>\[\],.? ]+?\s+(\w+)\s*\(", f["declaration"]))
    entry = entry_m[-1][1] if entry_m else ""
    main_file = header("//", path, where, task_id) + "// The prompt's imports, then the row's test verbatim.\n" + imports + "\n" + test_body + "\n"
    wrapper = (
        header("//", path, where, task_id)
        + "import org.junit.jupiter.api.Test;\n\n"
        + f"// HumanEval-X runs {main_class}.main(); it throws AssertionError when a check fails.\n"
        + f"public class {main_class}Test {{\n    @Test\n    void main() throws Exception {{\n"
        + f"        {main_class}.main(new String[0]);\n    }}\n}}\n"
    )
    conversions.append(f"{main_class}.main() runs as the JUnit test {main_class}Test::main")
    stub = '        throw new UnsupportedOperationException("not implemented");\n    }\n}\n'
    return (
        {f"{klass}.java": prompt + stub},
        {f"{klass}.java": prompt + canonical + "\n"},
        {f"{main_class}.java": main_file, f"{main_class}Test.java": wrapper},
        entry,
    )


# --------------------------------------------------------------------------- Go

_GO_PACKAGE = re.compile(r"^package\s+([A-Za-z_][A-Za-z0-9_]*)[ \t]*$", re.M)


def _go(record, f, task_id, path, where, conversions):
    prompt, canonical, test = f["prompt"], f["canonical_solution"], f["test"]
    setup = text_field(record, "test_setup", where, "HumanEval-X Go", FIELDS + ("import", "docstring", "test_setup"))
    import_string = record.get("import", "")
    if not isinstance(import_string, str):
        raise TaskFormatError(where, "field 'import' must be a string")
    package = _GO_PACKAGE.search(setup)
    if not package:
        raise TaskFormatError(where, "test_setup has no package clause")
    if not re.search(r"^func\s+Test\w*\s*\(\s*\w+\s+\*testing\.T\s*\)", test, re.M):
        raise TaskFormatError(where, "the test defines no func TestX(t *testing.T)")
    entry_m = re.search(r"^func\s+([A-Za-z_]\w*)\s*\(", f["declaration"], re.M)
    entry = entry_m[1] if entry_m else ""
    # As CodeGeeX's harness: the prompt without its import string, and an import of each helper
    # package the code uses that test_setup does not import.
    body = prompt.replace(import_string, "") if import_string else prompt
    prompt_specs, body = go_imports(body, where, "prompt")  # imports the 'import' field missed
    setup_specs, _ = go_imports(setup, where, "test_setup")
    code = canonical
    # One file in HumanEval-X, two here: the solution's file imports what its code uses even when
    # test_setup imports it too (CodeGeeX skips those: test_setup's import served both).
    used = [(None, p) for p in GO_HELPER if re.search(rf"\b{p.split('/')[-1]}\.", body + code)]
    extra = [s for s in prompt_specs if s[1] not in {p for _, p in used}]
    imports, _ = go_import_block(used + extra, guard=False)
    solution = f"package {package[1]}\n\n{imports}\n{body.lstrip(chr(10))}{canonical}"
    starter_specs, _ = go_imports(import_string, where, "import") if import_string else ([], "")
    starter_imports, dropped = go_import_block(starter_specs + prompt_specs, guard=True)
    if dropped:
        conversions.append(f"the starter leaves out the imports {', '.join(dropped)} (it cannot keep them compiling)")
    starter = f"package {package[1]}\n\n{starter_imports}\n{body.lstrip(chr(10))}" + '\tpanic("not implemented")\n}\n'
    conversions.append(
        "one main_test.go in HumanEval-X is split into solution.go (the prompt's imports as CodeGeeX derives "
        "them, prompt, solution) and solution_test.go (test_setup + test)"
    )
    conversions.append("the tests ship go.mod and go.sum requiring github.com/stretchr/testify v1.8.0, as HumanEval-X's harness does")
    # test_setup may import a package only the solution's code used (one file in HumanEval-X):
    # a guard keeps it compiling in the test file.
    guards = [
        f"var _ = {alias or GO_GUARDS[p].split('.')[0]}.{GO_GUARDS[p].split('.')[1]}"
        for alias, p in setup_specs
        if p in GO_GUARDS and alias != "_" and not re.search(rf"\b{alias or p.split('/')[-1]}\.", test)
    ]
    if guards:
        conversions.append(f"the test file keeps test_setup's unused imports compiling: {'; '.join(guards)}")
    tests = header("//", path, where, task_id) + setup + "".join(g + "\n" for g in guards) + "\n" + test
    return (
        {"solution.go": starter},
        {"solution.go": solution},
        {"solution_test.go": tests, "go.mod": GO_MOD, "go.sum": GO_SUM},
        entry,
    )


# --------------------------------------------------------------------------- Rust

# The crates of CodeGeeX's Rust harness (codegeex/benchmark/rust/Cargo.toml), which every row's
# declaration imports; a task depends only on those its code uses (each is compiled per run).
RUST_CRATES = {"rand": "0.4", "regex": "1", "md5": "0.7.0"}
_RUST_EMPTY_MAIN = re.compile(r"^[ \t]*fn\s+main\s*\(\s*\)\s*\{\s*\}[ \t]*\n?", re.M)
_RUST_USE = re.compile(r"^[ \t]*use\s+(?:::)?([A-Za-z_]\w*)[^;]*;[ \t]*\n?", re.M)
_RUST_TEST_MODULE = re.compile(r"\A\s*#\[cfg\(test\)\]\s*mod\s+tests\s*\{(?P<body>.*)\}\s*\Z", re.S)
_RUST_LOCAL_ROOTS = {"std", "core", "alloc", "self", "super", "crate"}
RUST_LIB_HEADER = (
    "// HumanEval-X compiles this code as one program with its tests; warnings are not its concern.\n"
    "#![allow(dead_code, unused_imports, unused_variables, unused_mut, deprecated)]\n"
)
RUST_TESTS_DECL = (
    "\n// taskaudit: the row's test module, shipped as the task's src/tests.rs (pristine for every run).\n"
    "#[cfg(test)]\nmod tests;\n"
)


def _rust(record, f, task_id, path, where, conversions):
    prompt, canonical, test, declaration = f["prompt"], f["canonical_solution"], f["test"], f["declaration"]
    module = _RUST_TEST_MODULE.match(test)
    if not module:
        raise TaskFormatError(where, "the test must be one '#[cfg(test)] mod tests { ... }' module (HumanEval-X's shape)")
    if not re.search(r"#\[test\]", module["body"]):
        raise TaskFormatError(where, "the test module has no #[test] function")
    entry_m = list(re.finditer(r"\bfn\s+([A-Za-z_]\w*)\s*[<(]", _RUST_EMPTY_MAIN.sub("", declaration)))
    if not entry_m:
        raise TaskFormatError(where, "the declaration declares no function")
    entry = entry_m[-1][1]
    # CodeGeeX runs "fn main(){}" + prompt + solution + test as one binary; here the code is a
    # library (no main) and the test module is its own file.
    body = _RUST_EMPTY_MAIN.sub("", prompt)
    if not re.search(rf"\bfn\s+{re.escape(entry)}\b", body):
        raise TaskFormatError(where, f"the prompt does not declare fn {entry}")
    # The use lines of the declaration the prompt lacks (HumanEval-X puts them in both, or one).
    missing = [u[0] for u in _RUST_USE.finditer(_RUST_EMPTY_MAIN.sub("", declaration)) if u[0].strip() not in body]
    code = "".join(u if u.endswith("\n") else u + "\n" for u in missing) + body
    crates = {u[1] for u in _RUST_USE.finditer(code) if u[1] not in _RUST_LOCAL_ROOTS}
    program = _RUST_USE.sub("", code + canonical)
    used = sorted(c for c in crates if re.search(rf"\b{c}::|\b{c}\b", program) or _uses_items_of(c, code, program))
    unknown = [c for c in used if c not in RUST_CRATES]
    if unknown:
        raise TaskFormatError(where, f"the code uses crates HumanEval-X's harness does not provide: {', '.join(unknown)}")
    unused = sorted(crates - set(used))
    if unused:
        code = _RUST_USE.sub(lambda u: "" if u[1] in unused else u[0], code)
        conversions.append(
            f"dropped the unused imports of the crates {', '.join(unused)} (HumanEval-X's harness links "
            "rand, regex and md5 into every program; here a task depends only on what its code uses)"
        )
    deps = "".join(f'{c} = "{RUST_CRATES[c]}"\n' for c in used)
    cargo = f'[package]\nname = "humaneval"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\n{deps}'
    conversions.append(
        "HumanEval-X's one program (fn main(){} + prompt + solution + test module) is split: src/lib.rs holds "
        "the prompt and solution (no main) and declares '#[cfg(test)] mod tests;', the task's src/tests.rs "
        "holds the body of the row's 'mod tests { ... }' verbatim"
    )
    if used:
        conversions.append(f"Cargo.toml depends on {', '.join(used)} at the versions of CodeGeeX's Rust harness")
    tests = header("//", path, where, task_id) + "// The body of the row's '#[cfg(test)] mod tests { ... }', verbatim.\n" + module["body"].strip("\n") + "\n"
    solution = RUST_LIB_HEADER + code + canonical + "\n" + RUST_TESTS_DECL
    starter = RUST_LIB_HEADER + code + "    todo!()\n}\n" + RUST_TESTS_DECL
    return (
        {"Cargo.toml": cargo, "src/lib.rs": starter},
        {"Cargo.toml": cargo, "src/lib.rs": solution},
        {"src/tests.rs": tests},
        entry,
    )


def _uses_items_of(crate: str, code: str, program: str) -> bool:
    """Whether ``program`` names an item that ``code`` imports from ``crate`` (``use regex::Regex;``
    then ``Regex::new``)."""
    for u in _RUST_USE.finditer(code):
        if u[1] != crate:
            continue
        names = re.findall(r"[A-Za-z_]\w*", u[0].split(crate, 1)[1])
        if any(re.search(rf"\b{re.escape(n)}\b", program) for n in names if n not in ("use", "self", "as")):
            return True
    return False
