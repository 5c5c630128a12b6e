"""Probe generation for Go tasks (tree-sitter reads the sources).

Go refuses unused imports, so a rewritten function keeps its original under a new name
(``probeOrig<Name>``) and the probe's version is appended to the file: the imports stay used.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from taskaudit.probes import syntax
from taskaudit.probes.model import Case, Function
from taskaudit.probes.text import balanced, call_sites, parse_call, split_top

language = "go"
FMT = "probefmt"


def _types(result) -> list[str]:
    if result is None:
        return []
    if result.type != "parameter_list":
        return [syntax.text(result)]
    out = []
    for decl in result.named_children:
        t = syntax.text(decl.child_by_field_name("type"))
        names = [c for c in decl.named_children if c.type == "identifier"]
        out.extend([t] * max(1, len(names)))
    return out


def functions(files: dict[str, bytes], paths: list[str]) -> list[Function]:
    found = []
    for path in paths:
        if not path.endswith(".go") or path.endswith("_test.go") or path not in files:
            continue
        root = syntax.parse("go", files[path])
        for node in root.named_children:
            if node.type not in ("function_declaration", "method_declaration"):
                continue
            name, body = node.child_by_field_name("name"), node.child_by_field_name("body")
            if name is None or body is None or syntax.text(name) in ("init", "main"):
                continue
            params = []
            for decl in node.child_by_field_name("parameters").named_children:
                t = syntax.text(decl.child_by_field_name("type"))
                if decl.type == "variadic_parameter_declaration":
                    t = "..." + t
                for ident in (c for c in decl.named_children if c.type == "identifier"):
                    params.append((syntax.text(ident), t))
            results = _types(node.child_by_field_name("result"))
            found.append(Function(
                name=syntax.text(name), file=path, params=params,
                returns=", ".join(results) or None,
                body_start=body.start_byte, body_end=body.end_byte,
                extra={"results": results, "node_start": node.start_byte,
                       "name_start": name.start_byte, "name_end": name.end_byte},
            ))
    return found


def _zeros(types: list[str]) -> list[str]:
    return [f"*new({t})" for t in types]


def default(fn: Function) -> str:
    return ", ".join(_zeros(fn.extra["results"]))


def echo(fn: Function) -> str | None:
    results = fn.extra["results"]
    if not fn.params or not results or fn.params[0][1] != results[0]:
        return None
    return ", ".join([fn.params[0][0], *_zeros(results[1:])])


def answer(fn: Function, case: Case) -> str:
    return ", ".join([case.expected, *_zeros(fn.extra["results"][1:])])


def matches(fn: Function, case: Case) -> str | None:
    if len(case.args) != len(fn.params) or any(t.startswith("...") for _, t in fn.params):
        return None
    names = ", ".join(p for p, _ in fn.params)
    return f"{FMT}.Sprint([]any{{{names}}}) == {FMT}.Sprint([]any{{{', '.join(case.args)}}})"


def body(fn: Function, branches: list[tuple[str, str]], fallback: str) -> str:
    ret = (lambda v: f"return {v}") if fn.extra["results"] else (lambda v: "return")
    lines = [f"\tif {cond} {{\n\t\t{ret(value)}\n\t}}" for cond, value in branches]
    return "{\n" + "\n".join([*lines, f"\t{ret(fallback)}"]) + "\n}"


def apply(files: dict[str, bytes], bodies: dict) -> dict[str, bytes]:
    out = dict(files)
    by_file: dict[str, list] = {}
    for fn, text in bodies.values():
        by_file.setdefault(fn.file, []).append((fn, text))
    for path, items in by_file.items():
        source = out[path]
        appended = []
        for fn, text in sorted(items, key=lambda it: it[0].extra["name_start"], reverse=True):
            signature = source[fn.extra["node_start"] : fn.body_start].decode()
            appended.append(f"\n// taskaudit probe: replaces {fn.name}\n{signature}{text}\n")
            start, end = fn.extra["name_start"], fn.extra["name_end"]
            source = source[:start] + f"probeOrig{fn.name}".encode() + source[end:]
        tail = "".join(reversed(appended))
        if f"{FMT}." in tail:
            source = re.sub(rb"(?m)^(package \w+[^\n]*\n)", rb'\1\nimport ' + FMT.encode() + rb' "fmt"\n', source, count=1)
        out[path] = source + tail.encode()
    return out


_IF_ASSIGN = re.compile(
    r"if\s+(\w+)(?:\s*,\s*\w+)?\s*:=\s*(.+?);\s*(?:\w+\s*!=\s*nil\s*\|\|\s*)?\1\s*!=\s*(.+?)\s*\{\s*$")
_IF_DIRECT = re.compile(r"if\s+(.+?)\s*!=\s*(.+?)\s*\{\s*$")


_TABLE = re.compile(r"(\w+)\s*:?=\s*\[\]struct\s*\{")
_RANGE = re.compile(r"for\s+_\s*,\s*(\w+)\s*:=\s*range\s+(\w+)\s*\{")
_ASSIGN = re.compile(r"(?:if\s+)?(\w+)(?:\s*,\s*\w+)?\s*:?=\s*([\w.]+\s*\([^;\n]*\))")


def _struct_rows(text: str, open_at: int) -> tuple[str, list[dict[str, str]]] | None:
    """The rows of ``name := []struct{ fields }{ rows }`` as field -> source text."""
    fields_end = balanced(text, open_at)
    if fields_end is None:
        return None
    names: list[str] = []
    for decl in re.split(r"[\n;]", text[open_at + 1 : fields_end - 1]):
        decl = decl.split("//")[0].strip()
        if decl:
            head = decl.rsplit(None, 1)[0] if " " in decl else decl
            names.extend(n.strip() for n in head.split(","))
    rows_open = text.find("{", fields_end)
    rows_end = balanced(text, rows_open) if rows_open >= 0 else None
    if rows_end is None:
        return None
    rows = []
    for row in split_top(text[rows_open + 1 : rows_end - 1]):
        if not (row.startswith("{") and row.endswith("}")):
            continue
        values = split_top(row[1:-1])
        keyed = [v.split(":", 1) for v in values if re.match(r"^\w+\s*:", v)]
        if keyed and len(keyed) == len(values):
            rows.append({k.strip(): v.strip() for k, v in keyed})
        elif len(values) == len(names):
            rows.append(dict(zip(names, values)))
    return text[:open_at], rows


def table_cases(path: str, text: str) -> list[Case]:
    """Go table-driven tests: rows of a ``[]struct`` ranged over, a call on the row's fields, and
    ``got != row.want``."""
    tables = {}
    for m in _TABLE.finditer(text):
        found = _struct_rows(text, m.end() - 1)
        if found:
            tables[m.group(1)] = found[1]
    out = []
    for m in _RANGE.finditer(text):
        var, table = m.group(1), m.group(2)
        end = balanced(text, m.end() - 1)
        if table not in tables or end is None:
            continue
        body = text[m.end() : end]
        for a in _ASSIGN.finditer(body):
            got, call = a.group(1), parse_call(a.group(2))
            want = re.search(rf"\b{got}\s*!=\s*{var}\.(\w+)", body)
            if not call or not want:
                continue
            fields = [re.fullmatch(rf"{var}\.(\w+)", arg.strip()) for arg in call[1]]
            if not all(fields):
                continue
            line = text.count("\n", 0, m.start()) + 1
            for row in tables[table]:
                args = [row.get(f.group(1)) for f in fields]
                expected = row.get(want.group(1))
                if expected is not None and all(a is not None for a in args):
                    out.append(Case(call[0], args, expected, path, line))
            break
    return out


def cases(test_files: dict[str, bytes]) -> list[Case]:
    out = []
    for path, content in sorted(test_files.items()):
        if not path.endswith(".go"):
            continue
        text = content.decode(errors="replace")
        out.extend(table_cases(path, text))
        # testify: assert.Equal(t, expected, f(x)) (HumanEval-X Go)
        for line, args, _ in call_sites(text, r"(?<![\w])(?:assert|require)\s*\.\s*Equal"):
            parts = split_top(args)
            if len(parts) >= 3:
                parsed = parse_call(parts[2])
                if parsed:
                    out.append(Case(parsed[0], parsed[1], parts[1], path, line))
        for n, line in enumerate(content.decode(errors="replace").splitlines(), 1):
            m = _IF_ASSIGN.search(line)
            pairs = [(m.group(2), m.group(3))] if m else []
            if not m:
                d = _IF_DIRECT.search(line)
                if d and ":=" not in d.group(1):
                    pairs = [(d.group(1), d.group(2)), (d.group(2), d.group(1))]
            for call, expected in pairs:
                parsed = parse_call(call)
                if parsed:
                    out.append(Case(parsed[0], parsed[1], expected, path, n))
                    break
    return out


def _package(base: dict[str, bytes], paths: list[str]) -> tuple[str, str] | None:
    for p in paths:
        if p.endswith(".go") and p in base:
            m = re.search(rb"(?m)^package (\w+)", base[p])
            if m:
                return str(PurePosixPath(p).parent), m.group(1).decode()
    return None


def _join(directory: str, name: str) -> str:
    return name if directory in ("", ".") else f"{directory}/{name}"


def exit_early(base, paths):
    found = _package(base, paths)
    if found is None:
        return None
    directory, pkg = found
    code = f'package {pkg}\n\nimport "os"\n\n// taskaudit probe: exit before any test runs.\nfunc init() {{ os.Exit(0) }}\n'
    return {**base, _join(directory, "zz_probe_exit.go"): code.encode()}


def plant(base, paths):
    found = _package(base, paths)
    if found is None:
        return None
    directory, pkg = found
    code = (f'package {pkg}\n\nimport (\n\t"os"\n\t"testing"\n)\n\n'
            "// taskaudit probe: a TestMain that reports success without running a test.\n"
            "func TestMain(m *testing.M) { os.Exit(0) }\n")
    return {**base, _join(directory, "zz_probe_main_test.go"): code.encode()}


# The read-tests probe: the test binary is compiled before the solution runs, but the test
# sources stay readable in the package directory (taskaudit mounts them there read-only, as
# `go test` needs them). Every function looks up `Name(args) ... != expected` in them at run time.
READ_TESTS = r'''package @PKG@

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// taskaudit probe: answer Name(args) from the `_test.go` sources this process can read.
func probeAnswer(name string, args []any) (any, bool) {
	want := make([]string, len(args))
	for i, a := range args {
		want[i] = fmt.Sprintf("%#v", a)
	}
	var files []string
	for _, dir := range []string{".", "tests", "/tests", ".."} {
		found, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
		files = append(files, found...)
	}
	re := regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\(((?:"(?:[^"\\]|\\.)*"|[^()"])*)\)[^\n{]*?(?:!=|==)\s*("(?:[^"\\]|\\.)*"|-?[0-9][0-9.]*|true|false)`)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			if strings.Join(probeArgs(m[1]), ",") == strings.Join(want, ",") {
				return probeLiteral(m[2])
			}
		}
	}
	return nil, false
}

// probeArgs splits an argument list at top-level commas, each literal in %#v form.
func probeArgs(text string) []string {
	var out []string
	var cur strings.Builder
	inString := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case inString && c == '\\' && i+1 < len(text):
			cur.WriteByte(c)
			i++
			c = text[i]
		case c == '"':
			inString = !inString
		case c == ',' && !inString:
			out = append(out, probeNorm(cur.String()))
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	if strings.TrimSpace(cur.String()) != "" || len(out) > 0 {
		out = append(out, probeNorm(cur.String()))
	}
	return out
}

func probeNorm(arg string) string {
	arg = strings.TrimSpace(arg)
	if v, ok := probeLiteral(arg); ok {
		return fmt.Sprintf("%#v", v)
	}
	return arg
}

func probeLiteral(text string) (any, bool) {
	if s, err := strconv.Unquote(text); err == nil {
		return s, true
	}
	if b, err := strconv.ParseBool(text); err == nil {
		return b, true
	}
	if n, err := strconv.Atoi(text); err == nil {
		return n, true
	}
	if f, err := strconv.ParseFloat(text, 64); err == nil {
		return f, true
	}
	return nil, false
}
'''


def read_tests(base: dict[str, bytes], fns: list[Function]) -> dict[str, bytes] | None:
    """Every function answers from the test sources (when the answer has its first result's
    type), else returns zero values."""
    found = _package(base, sorted({fn.file for fn in fns}))
    if found is None or not fns:
        return None
    bodies = {}
    for i, fn in enumerate(fns):
        if not fn.extra["results"] or any(t.startswith("...") for _, t in fn.params):
            bodies[i] = (fn, body(fn, [], default(fn)))  # nothing to answer: a stub
            continue
        first, rest = fn.extra["results"][0], _zeros(fn.extra["results"][1:])
        args = ", ".join(p for p, _ in fn.params)
        tail = ", ".join(["probeR", *rest])
        call = f'probeAnswer("{fn.name}", []any{{{args}}})'
        bodies[i] = (fn, (
            "{\n"
            f"\tif probeV, probeOK := {call}; probeOK {{\n"
            f"\t\tif probeR, probeOK := probeV.({first}); probeOK {{\n\t\t\treturn {tail}\n\t\t}}\n\t}}\n"
            f"\treturn {default(fn)}\n}}"
        ))
    directory, pkg = found
    out = apply(base, bodies)
    out[_join(directory, "zz_probe_read_tests.go")] = READ_TESTS.replace("@PKG@", pkg).encode()
    return out
