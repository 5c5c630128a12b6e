"""Go input-space support: targets, seeds and plausible-wrong variants from tree-sitter trees,
and the generated harness (a ``main`` package compiled with every variant in one binary).

- Targets: exported top-level functions of the solution's ``.go`` files (not tests) that the
  tests call or the statement names, whose parameter types the harness can write literals of:
  ``string``, ``bool``, ``int``/``int64``/``int32``, ``float64``/``float32``, ``rune``/``byte``
  no, slices and maps of those.
- Seeds: calls ``pkg.F(...)`` / ``F(...)`` in the test files whose arguments are literals
  (strings, raw strings, numbers, ``true``/``false``, unary minus, ``[]T{...}``, ``map[K]V{...}``).
- Harness: the inputs are written as Go literals into a generated ``main`` package; each
  variant's package is copied to its own directory in the module and imported by path, so one
  ``go build`` serves all variants. Each call runs in a goroutine with a timer and ``recover``;
  results print as ``<nonce> <json>`` lines, encoded like ``pyharness.encode`` (several results
  become a tuple, an ``error`` becomes ``{"repr": "error: <message>"}``).
"""

from __future__ import annotations

import ast
import json
import math
import re
from pathlib import PurePosixPath

from taskaudit.inputspace import treesitter
from taskaudit.inputspace.signature import Param, Target
from taskaudit.inputspace.treesitter import text as _text
from taskaudit.inputspace.treesitter import walk as _walk
from taskaudit.inputspace.variants import NodeEdits, SourceEdit
from taskaudit.model import Task

_INTS = {"int", "int64", "int32", "int16", "uint", "uint64", "uint32"}
_FLOATS = {"float64", "float32"}


def _parse(source: bytes, path: str = ""):
    return treesitter.parse("go", source)


def _python_hint(go_type: str) -> str | None:
    """The Python type hint of a Go type the harness supports, else None."""
    t = go_type.replace(" ", "")
    if t == "string":
        return "str"
    if t == "bool":
        return "bool"
    if t in _INTS:
        return "int"
    if t in _FLOATS:
        return "float"
    if t.startswith("[]"):
        inner = _python_hint(t[2:])
        return f"list[{inner}]" if inner else None
    m = re.fullmatch(r"map\[(\w+)\](.+)", t)
    if m:
        k, v = _python_hint(m.group(1)), _python_hint(m.group(2))
        return f"dict[{k}, {v}]" if k and v else None
    return None


# --------------------------------------------------------------------------- targets


def _package(root) -> str:
    for n in root.named_children:
        if n.type == "package_clause":
            return _text(n.named_children[0])
    return ""


def called_names(test_files: dict[str, bytes]) -> set[str]:
    return treesitter.called_names(test_files, (".go",), _parse, "call_expression", _callee)


def _callee(call) -> str:
    return treesitter.callee(call, {"selector_expression": "field"})  # F(...) and pkg.F(...)


def targets(task: Task, workspace: dict[str, bytes]) -> list[Target]:
    wanted = called_names(task.test_files) | set(re.findall(r"[A-Za-z_]\w*", task.statement))
    paths = task.solution_paths or sorted(task.solution_files)
    out: list[Target] = []
    for path in sorted(paths):
        if not path.endswith(".go") or path.endswith("_test.go") or path not in workspace:
            continue
        root = _parse(workspace[path])
        if _package(root) == "main":
            continue
        for node in root.named_children:
            if node.type != "function_declaration":
                continue
            name = _text(node.child_by_field_name("name"))
            if not name[:1].isupper() or name not in wanted or node.child_by_field_name("type_parameters"):
                continue
            params: list[Param] = []
            go_types: list[str] = []
            ok = True
            for decl in node.child_by_field_name("parameters").named_children:
                if decl.type != "parameter_declaration":
                    ok = False  # variadic
                    break
                go_type = _text(decl.child_by_field_name("type"))
                hint = _python_hint(go_type)
                names = [_text(c) for c in decl.children_by_field_name("name")]
                if hint is None or not names:
                    ok = False
                    break
                for n in names:
                    params.append(Param(n, ast.parse(hint, mode="eval").body))
                    go_types.append(go_type)
            if ok and params:
                out.append(Target(module=str(PurePosixPath(path).parent), function=name, params=params,
                                  path=path, line=node.start_point[0] + 1, native_types=go_types))
    return out


# --------------------------------------------------------------------------- seeds


class _NotLiteral(Exception):
    pass


def evaluate(node):
    t = node.type
    if t == "interpreted_string_literal":
        try:
            return json.loads(_text(node))
        except ValueError:
            raise _NotLiteral("string escape") from None
    if t == "raw_string_literal":
        return _text(node)[1:-1]
    if t == "int_literal":
        return int(_text(node).replace("_", ""), 0)
    if t == "float_literal":
        return float(_text(node).replace("_", ""))
    if t == "true":
        return True
    if t == "false":
        return False
    if t == "unary_expression":
        value = evaluate(node.child_by_field_name("operand"))
        if _text(node).startswith("-") and isinstance(value, (int, float)):
            return -value
        raise _NotLiteral("unary")
    if t == "parenthesized_expression":
        return evaluate(node.named_children[0])
    if t == "literal_element":
        return evaluate(node.named_children[0])
    if t == "composite_literal":
        typ = node.child_by_field_name("type")
        body = node.child_by_field_name("body")
        if typ is not None and typ.type == "slice_type":
            return [evaluate(e) for e in body.named_children]
        if typ is not None and typ.type == "map_type":
            out = {}
            for e in body.named_children:
                if e.type != "keyed_element":
                    raise _NotLiteral("map element")
                k, v = e.named_children[0], e.named_children[1]
                out[evaluate(k)] = evaluate(v)
            return out
    raise _NotLiteral(t)


def _helpers(root, function: str) -> dict[str, list[int]]:
    """Test helpers that pass their own parameters straight to ``function``:
    helper name -> for each of the target's arguments, the helper parameter it comes from."""
    found: dict[str, list[int]] = {}
    for node in root.named_children:
        if node.type != "function_declaration":
            continue
        names = [_text(n) for d in node.child_by_field_name("parameters").named_children
                 for n in d.children_by_field_name("name")]
        for call in _walk(node.child_by_field_name("body")):
            if call.type == "call_expression" and _callee(call) == function:
                args = call.child_by_field_name("arguments").named_children
                if args and all(a.type == "identifier" and _text(a) in names for a in args):
                    found[_text(node.child_by_field_name("name"))] = [names.index(_text(a)) for a in args]
                    break
    return found


def seeds(test_files: dict[str, bytes], target: Target) -> list[tuple]:
    """Literal calls of the target, and of test helpers that forward their parameters to it
    (``encodeOK(t, "aaabcc")`` where ``encodeOK`` calls ``rle.Encode(text)``)."""
    out, seen = [], set()
    for path in sorted(test_files):
        if not path.endswith(".go"):
            continue
        root = _parse(test_files[path])
        routes = {target.function: list(range(len(target.params))), **_helpers(root, target.function)}
        for n in _walk(root):
            route = routes.get(_callee(n)) if n.type == "call_expression" else None
            if route is None or len(route) != len(target.params):
                continue
            args = n.child_by_field_name("arguments")
            if args is None or max(route) >= len(args.named_children):
                continue
            if _callee(n) == target.function and len(args.named_children) != len(target.params):
                continue
            try:
                values = tuple(evaluate(args.named_children[j]) for j in route)
            except (_NotLiteral, ValueError, RecursionError):
                continue
            if repr(values) not in seen:
                seen.add(repr(values))
                out.append(values)
    return out


# --------------------------------------------------------------------------- wrong variants

_UNWRAP = {"strings.ToLower", "strings.ToUpper", "strings.TrimSpace", "math.Abs"}


def plausible_wrong(path: str, source: bytes) -> list[SourceEdit]:
    root = _parse(source)
    edits = NodeEdits(path, source, lambda changed: not _parse(changed).has_error)
    add = edits.add

    for n in _walk(root):
        if n.type == "call_expression":
            func, args = n.child_by_field_name("function"), n.child_by_field_name("arguments")
            name = _text(func) if func is not None else ""
            if name in _UNWRAP and args is not None and len(args.named_children) == 1:
                add(n, f"({_text(args.named_children[0])})", f"{name}(...) removed")
        elif n.type == "expression_statement" and n.named_children and n.named_children[0].type == "call_expression":
            name = _text(n.named_children[0].child_by_field_name("function"))
            if name.startswith(("sort.", "slices.Sort")):
                add(n, "_ = 0", f"{name}(...) call dropped")
        elif n.type == "binary_expression":
            op = n.child_by_field_name("operator")
            if op is not None and _text(op) in ("<=", ">="):
                new = _text(op)[0]
                add(n, f"{_text(n.child_by_field_name('left'))} {new} {_text(n.child_by_field_name('right'))}",
                    f"{_text(op)} narrowed to {new}")
        elif n.type == "if_statement" and n.child_by_field_name("alternative") is None and n.child_by_field_name("initializer") is None:
            body = n.child_by_field_name("consequence")
            stmts = [c for c in _walk(body) if c.parent is not None and c.parent.type == "statement_list"]
            if stmts and stmts[-1].type in ("return_statement", "continue_statement"):
                add(n, "{}", f"special case `if {_text(n.child_by_field_name('condition'))}` dropped")

    return edits.distinct()


# --------------------------------------------------------------------------- harness source


def literal(value, go_type: str) -> str:
    t = go_type.replace(" ", "")
    if t == "string":
        if not isinstance(value, str):
            raise ValueError("not a string")
        return json.dumps(value, ensure_ascii=False)
    if t == "bool":
        if not isinstance(value, bool):
            raise ValueError("not a bool")
        return "true" if value else "false"
    if t in _INTS:
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= 2**31 or (t.startswith("u") and value < 0):
            raise ValueError("not an int of this type")
        return f"{t}({value})"
    if t in _FLOATS:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError("not a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError("not finite")
        return f"{t}({float(value)!r})"
    if t.startswith("[]"):
        if not isinstance(value, (list, tuple)):
            raise ValueError("not a list")
        return f"{t}{{" + ", ".join(literal(v, t[2:]) for v in value) + "}"
    m = re.fullmatch(r"map\[(\w+)\](.+)", t)
    if m and isinstance(value, dict):
        return f"{t}{{" + ", ".join(f"{literal(k, m.group(1))}: {literal(v, m.group(2))}" for k, v in value.items()) + "}"
    raise ValueError(f"no literal for {go_type}")


HARNESS_MAIN = r'''// Generated by taskaudit (input-space analysis): calls each variant on every input.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"sort"
	"time"
%(imports)s
)

var nonce = %(nonce)s

func enc(v reflect.Value, depth int) any {
	if !v.IsValid() || depth > 50 {
		return nil
	}
	if v.Type().Implements(reflect.TypeOf((*error)(nil)).Elem()) {
		if (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && v.IsNil() {
			return nil
		}
		return map[string]any{"repr": "error: " + v.Interface().(error).Error(), "type": "error"}
	}
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return enc(v.Elem(), depth+1)
	case reflect.Bool:
		return v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint()
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) {
			return map[string]any{"float": "nan"}
		}
		if math.IsInf(f, 0) {
			if f > 0 {
				return map[string]any{"float": "inf"}
			}
			return map[string]any{"float": "-inf"}
		}
		return f
	case reflect.String:
		return v.String()
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return map[string]any{"repr": "nil slice", "type": "slice"}
		}
		out := make([]any, v.Len())
		for i := range out {
			out[i] = enc(v.Index(i), depth+1)
		}
		return out
	case reflect.Map:
		pairs := [][2]any{}
		for _, k := range v.MapKeys() {
			pairs = append(pairs, [2]any{enc(k, depth+1), enc(v.MapIndex(k), depth+1)})
		}
		sort.Slice(pairs, func(i, j int) bool { return fmt.Sprint(pairs[i][0]) < fmt.Sprint(pairs[j][0]) })
		return map[string]any{"dict": pairs}
	}
	return map[string]any{"repr": fmt.Sprintf("%%#v", v.Interface()), "type": v.Type().String()}
}

func emit(rec map[string]any) {
	b, _ := json.Marshal(rec)
	fmt.Printf("%%s %%s\n", nonce, b)
}

func call(v, c int, f func() []reflect.Value, limit time.Duration) bool {
	type outcome struct {
		rec map[string]any
	}
	done := make(chan outcome, 1)
	start := time.Now()
	go func() {
		rec := map[string]any{"variant": v, "call": c}
		defer func() {
			if r := recover(); r != nil {
				rec["raise"] = "panic"
				rec["message"] = fmt.Sprint(r)
				done <- outcome{rec}
			}
		}()
		out := f()
		if len(out) == 1 {
			rec["value"] = enc(out[0], 0)
		} else {
			vals := make([]any, len(out))
			for i, o := range out {
				vals[i] = enc(o, 0)
			}
			rec["value"] = map[string]any{"tuple": vals}
		}
		done <- outcome{rec}
	}()
	select {
	case o := <-done:
		o.rec["ms"] = float64(time.Since(start).Microseconds()) / 1000
		emit(o.rec)
		return true
	case <-time.After(limit):
		emit(map[string]any{"variant": v, "call": c, "timeout": true})
		return false
	}
}

func main() {
	limit := time.Duration(%(limit_ms)d) * time.Millisecond
	deadline := time.Now().Add(time.Duration(%(budget_ms)d) * time.Millisecond)
	os.Stdout.Sync()
%(body)s
	emit(map[string]any{"done": true})
}
'''


def harness_source(import_path: str, n_variants: int, calls: list[tuple[str, tuple, list[str]]], nonce: str,
                   call_seconds: float, budget_seconds: float) -> str:
    """The harness's main.go: ``calls`` are (function, arguments, Go parameter types)."""
    imports = "\n".join(f'\tv{i} "{import_path}/taskaudit_inputs/v{i}"' for i in range(n_variants))
    body = []
    for v in range(n_variants):
        body.append(f"\t{{ // variant {v}\n\t\ttimeouts := 0")
        for c, (function, args, types) in enumerate(calls):
            try:
                values = [f"reflect.ValueOf({literal(a, t)})" for a, t in zip(args, types, strict=True)]
            except ValueError:
                body.append(f'\t\temit(map[string]any{{"variant": {v}, "call": {c}, "skipped": "no literal"}})')
                continue
            body.append(
                f"\t\tif timeouts < 2 && time.Now().Before(deadline) {{\n"
                f"\t\t\tif !call({v}, {c}, func() []reflect.Value {{ return reflect.ValueOf(v{v}.{function})"
                f".Call([]reflect.Value{{{', '.join(values)}}}) }}, limit) {{\n\t\t\t\ttimeouts++\n\t\t\t}}\n\t\t}}"
            )
        body.append("\t}")
    return HARNESS_MAIN % {
        "imports": imports,
        "nonce": json.dumps(nonce),
        "limit_ms": int(call_seconds * 1000),
        "budget_ms": int(budget_seconds * 1000),
        "body": "\n".join(body),
    }


def module_path(workspace: dict[str, bytes]) -> str | None:
    m = re.search(rb"^module\s+(\S+)", workspace.get("go.mod", b""), re.M)
    return m.group(1).decode() if m else None
