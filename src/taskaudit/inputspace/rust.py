"""Rust input-space support: targets, seeds and plausible-wrong variants from tree-sitter trees,
and the generated harness (one ``rustc`` build with every variant's ``lib.rs`` as a module).

- Targets: ``pub fn`` items at the top of the solution's library file that the tests call or the
  statement names, whose parameter types the harness can write literals of: ``&str``,
  ``String``, ``bool``, the integer and float primitives, ``Vec<T>``, ``&[T]``, ``&Vec<T>``.
- Seeds: calls ``f(...)`` / ``crate::f(...)`` in the test files with literal arguments (strings,
  raw strings, numbers, ``true``/``false``, unary minus, ``[..]`` / ``&[..]`` arrays,
  ``"x".to_string()``).
- Harness: ``#[path = ".../vN/src/lib.rs"] mod vN;`` per variant, so one ``rustc`` invocation
  builds them all (a library that refers to ``crate::`` or to other files cannot be hosted this
  way: the analysis is skipped, saying so). Each call runs in a thread with a timeout and
  ``catch_unwind``; its result is compared by its ``Debug`` text (``Ok("2a1b")``,
  ``Err(DigitInText)``).
"""

from __future__ import annotations

import ast
import json
import math
import re

from taskaudit.inputspace import treesitter
from taskaudit.inputspace.signature import Param, Target
from taskaudit.inputspace.treesitter import text as _text
from taskaudit.inputspace.treesitter import walk as _walk
from taskaudit.inputspace.variants import NodeEdits, SourceEdit
from taskaudit.model import Task

_INTS = {"i8", "i16", "i32", "i64", "i128", "isize", "u8", "u16", "u32", "u64", "u128", "usize"}
_FLOATS = {"f32", "f64"}


def _parse(source: bytes, path: str = ""):
    return treesitter.parse("rust", source)


def _python_hint(rust_type: str) -> str | None:
    t = rust_type.replace(" ", "")
    if t in ("&str", "String", "&String"):
        return "str"
    if t == "bool":
        return "bool"
    if t in _INTS:
        return "int"
    if t in _FLOATS:
        return "float"
    for prefix, suffix in (("Vec<", ">"), ("&[", "]"), ("&Vec<", ">"), ("&mut[", "]"), ("&mutVec<", ">")):
        if t.startswith(prefix) and t.endswith(suffix):
            inner = _python_hint(t[len(prefix):-len(suffix)])
            return f"list[{inner}]" if inner else None
    return None


# --------------------------------------------------------------------------- targets


def _callee(call) -> str:
    return treesitter.callee(call, {"scoped_identifier": "name"})  # f(...) and crate::f(...)


def called_names(test_files: dict[str, bytes]) -> set[str]:
    return treesitter.called_names(test_files, (".rs",), _parse, "call_expression", _callee)


def targets(task: Task, workspace: dict[str, bytes]) -> list[Target]:
    wanted = called_names(task.test_files) | set(re.findall(r"[A-Za-z_]\w*", task.statement))
    paths = [p for p in (task.solution_paths or sorted(task.solution_files)) if p.endswith("src/lib.rs")]
    out: list[Target] = []
    for path in sorted(paths):
        if path not in workspace:
            continue
        for node in _parse(workspace[path]).named_children:
            if node.type != "function_item" or not any(c.type == "visibility_modifier" for c in node.children):
                continue
            if node.child_by_field_name("type_parameters") is not None:
                continue
            name = _text(node.child_by_field_name("name"))
            if name not in wanted:
                continue
            params, types, ok = [], [], True
            for p in node.child_by_field_name("parameters").named_children:
                pattern, typ = p.child_by_field_name("pattern"), p.child_by_field_name("type")
                hint = _python_hint(_text(typ)) if typ is not None else None
                if p.type != "parameter" or pattern is None or pattern.type != "identifier" or hint is None:
                    ok = False
                    break
                params.append(Param(_text(pattern), ast.parse(hint, mode="eval").body))
                types.append(_text(typ).replace(" ", ""))
            if ok and params:
                out.append(Target(module=path, function=name, params=params, path=path,
                                  line=node.start_point[0] + 1, native_types=types))
    return out


# --------------------------------------------------------------------------- seeds


class _NotLiteral(Exception):
    pass


def _string(node) -> str:
    if node.type == "raw_string_literal":
        content = [c for c in node.named_children if c.type == "string_content"]
        return _text(content[0]) if content else ""
    body = _text(node)[1:-1]
    body = re.sub(r"\\u\{([0-9a-fA-F]+)\}", lambda m: chr(int(m.group(1), 16)), body)
    try:
        return json.loads('"' + body.replace("\\'", "'").replace("\\0", "\\u0000") + '"')
    except ValueError:
        raise _NotLiteral("string escape") from None


def evaluate(node):
    t = node.type
    if t in ("string_literal", "raw_string_literal"):
        return _string(node)
    if t == "integer_literal":
        text = re.sub(r"(i|u)(8|16|32|64|128|size)$", "", _text(node).replace("_", ""))
        return int(text, 0)
    if t == "float_literal":
        return float(re.sub(r"f(32|64)$", "", _text(node).replace("_", "")))
    if t == "boolean_literal":
        return _text(node) == "true"
    if t == "unary_expression" and _text(node).startswith("-"):
        value = evaluate(node.named_children[0])
        if isinstance(value, (int, float)):
            return -value
    if t == "reference_expression":
        return evaluate(node.child_by_field_name("value"))
    if t == "array_expression":
        return [evaluate(c) for c in node.named_children]
    if t == "parenthesized_expression":
        return evaluate(node.named_children[0])
    if t == "call_expression":  # "x".to_string() / String::from("x")
        func = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments").named_children
        if func.type == "field_expression" and _text(func.child_by_field_name("field")) in ("to_string", "to_owned", "into") and not args:
            value = evaluate(func.child_by_field_name("value"))
            if isinstance(value, str):
                return value
        if _text(func) == "String::from" and len(args) == 1:
            return evaluate(args[0])
    raise _NotLiteral(t)


def _token_group(nodes: list):
    """The value of one macro argument written as tokens (inside ``assert_eq!(...)``)."""
    kinds = [n.type for n in nodes]
    if len(nodes) == 1 and nodes[0].type == "token_tree" and _text(nodes[0]).startswith("["):
        return [_token_group(g) for g in _split_tokens(nodes[0]) if g]
    if len(nodes) == 1:
        return evaluate(nodes[0])
    if kinds[0] == "-" and len(nodes) == 2:
        value = evaluate(nodes[1])
        if isinstance(value, (int, float)):
            return -value
    if kinds[0] == "&":
        return _token_group(nodes[1:])
    if kinds[0] in ("string_literal", "raw_string_literal") and len(nodes) == 4 and _text(nodes[2]) in ("to_string", "to_owned"):
        return evaluate(nodes[0])
    raise _NotLiteral("tokens")


def _split_tokens(tree) -> list[list]:
    groups: list[list] = [[]]
    for child in tree.children[1:-1]:  # without the brackets
        if child.type == ",":
            groups.append([])
        else:
            groups[-1].append(child)
    return groups


def _calls_in_macros(root, function: str):
    """Argument token groups of ``function(...)`` written inside macro invocations."""
    for n in _walk(root):
        if n.type != "token_tree":
            continue
        children = n.children
        for i, child in enumerate(children[:-1]):
            after = children[i + 1]
            if child.type == "identifier" and _text(child) == function and after.type == "token_tree" and _text(after).startswith("("):
                yield [g for g in _split_tokens(after) if g]


def seeds(test_files: dict[str, bytes], target: Target) -> list[tuple]:
    """Literal calls of the target, also inside macros (``assert_eq!(encode("aab"), ...)``)."""
    out, seen = [], set()
    for path in sorted(test_files):
        if not path.endswith(".rs"):
            continue
        root = _parse(test_files[path])
        found: list[tuple] = []
        for n in _walk(root):
            if n.type != "call_expression" or _callee(n) != target.function:
                continue
            args = n.child_by_field_name("arguments")
            if args is None or len(args.named_children) != len(target.params):
                continue
            try:
                found.append(tuple(evaluate(a) for a in args.named_children))
            except (_NotLiteral, ValueError, RecursionError, AttributeError):
                continue
        for groups in _calls_in_macros(root, target.function):
            if len(groups) != len(target.params):
                continue
            try:
                found.append(tuple(_token_group(g) for g in groups))
            except (_NotLiteral, ValueError, RecursionError, AttributeError, IndexError):
                continue
        for values in found:
            if repr(values) not in seen:
                seen.add(repr(values))
                out.append(values)
    return out


# --------------------------------------------------------------------------- wrong variants

_UNWRAP_METHODS = {"to_lowercase", "to_uppercase", "trim", "trim_start", "trim_end", "abs", "to_ascii_lowercase"}


def plausible_wrong(path: str, source: bytes) -> list[SourceEdit]:
    root = _parse(source)
    edits = NodeEdits(path, source, lambda changed: not _parse(changed).has_error)
    add = edits.add

    for n in _walk(root):
        if n.type == "call_expression":
            func, args = n.child_by_field_name("function"), n.child_by_field_name("arguments")
            if func is not None and func.type == "field_expression" and args is not None and not args.named_children:
                field = _text(func.child_by_field_name("field"))
                if field in _UNWRAP_METHODS:
                    add(n, f"({_text(func.child_by_field_name('value'))})", f".{field}() removed")
        elif n.type == "expression_statement" and n.named_children and n.named_children[0].type == "call_expression":
            func = n.named_children[0].child_by_field_name("function")
            if func is not None and func.type == "field_expression" and _text(func.child_by_field_name("field")) in (
                    "sort", "sort_unstable", "dedup", "reverse"):
                add(n, "{}", f".{_text(func.child_by_field_name('field'))}() call dropped")
            elif n.named_children[0].type == "if_expression":
                pass
        elif n.type == "binary_expression":
            op = n.child_by_field_name("operator")
            if op is not None and _text(op) in ("<=", ">="):
                new = _text(op)[0]
                add(n, f"{_text(n.child_by_field_name('left'))} {new} {_text(n.child_by_field_name('right'))}",
                    f"{_text(op)} narrowed to {new}")
        if n.type == "expression_statement" and n.named_children and n.named_children[0].type == "if_expression":
            expr = n.named_children[0]
            body = expr.child_by_field_name("consequence")
            if expr.child_by_field_name("alternative") is None and body is not None and body.named_children:
                last = body.named_children[-1]
                inner = last.named_children[0] if last.type == "expression_statement" and last.named_children else last
                if inner.type in ("return_expression", "continue_expression"):
                    cond = expr.child_by_field_name("condition")
                    add(n, "{}", f"special case `if {_text(cond) if cond is not None else ''}` dropped")

    return edits.distinct()


# --------------------------------------------------------------------------- harness source


def _rust_string(value: str) -> str:
    out = []
    for ch in value:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def literal(value, rust_type: str) -> str:
    t = rust_type.replace(" ", "")
    if t in ("&str", "String", "&String"):
        if not isinstance(value, str):
            raise ValueError("not a string")
        return _rust_string(value) + (".to_string()" if t == "String" else "" if t == "&str" else "")
    if t == "bool":
        if not isinstance(value, bool):
            raise ValueError("not a bool")
        return "true" if value else "false"
    if t in _INTS:
        if not isinstance(value, int) or isinstance(value, bool) or (t.startswith("u") and value < 0):
            raise ValueError("not an int of this type")
        bits = {"8": 7, "16": 15, "32": 31}.get(t[1:], 62)
        if abs(value) >= 2**bits:
            raise ValueError("out of range")
        return f"({value}{t})"
    if t in _FLOATS:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError("not a finite number")
        return f"({float(value)!r}{t})"
    for prefix, suffix, wrap in (("Vec<", ">", "vec![{}]"), ("&[", "]", "&[{}]"), ("&Vec<", ">", "&vec![{}]"),
                                 ("&mut[", "]", "&mut [{}]"), ("&mutVec<", ">", "&mut vec![{}]")):
        if t.startswith(prefix) and t.endswith(suffix):
            if not isinstance(value, (list, tuple)):
                raise ValueError("not a list")
            inner = t[len(prefix):-len(suffix)]
            return wrap.format(", ".join(literal(v, inner) for v in value))
    raise ValueError(f"no literal for {rust_type}")


HARNESS_MAIN = r'''// Generated by taskaudit (input-space analysis): calls each variant on every input.
#![allow(warnings)]
%(modules)s
use std::sync::mpsc;
use std::time::{Duration, Instant};

const NONCE: &str = %(nonce)s;

fn esc(s: &str) -> String {
    let mut out = String::from("\"");
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// One non-generic function: a generic one would be compiled again for every call's closure.
fn call(v: usize, c: usize, limit: Duration, timeouts: &mut u32, f: Box<dyn FnOnce() -> String + Send + 'static>) {
    let (tx, rx) = mpsc::channel();
    let start = Instant::now();
    std::thread::spawn(move || {
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
        let _ = tx.send(r);
    });
    let ms = || start.elapsed().as_secs_f64() * 1000.0;
    match rx.recv_timeout(limit) {
        Ok(Ok(s)) => println!("{} {{\"variant\": {}, \"call\": {}, \"ms\": {}, \"value\": {{\"repr\": {}, \"type\": \"debug\"}}}}", NONCE, v, c, ms(), esc(&s)),
        Ok(Err(p)) => {
            let msg = p.downcast_ref::<&str>().map(|s| s.to_string()).or_else(|| p.downcast_ref::<String>().cloned()).unwrap_or_default();
            println!("{} {{\"variant\": {}, \"call\": {}, \"ms\": {}, \"raise\": \"panic\", \"message\": {}}}", NONCE, v, c, ms(), esc(&msg));
        }
        Err(_) => {
            *timeouts += 1;
            println!("{} {{\"variant\": {}, \"call\": {}, \"timeout\": true}}", NONCE, v, c);
        }
    }
}

fn main() {
    std::panic::set_hook(Box::new(|_| {}));
    let limit = Duration::from_millis(%(limit_ms)d);
    let deadline = Instant::now() + Duration::from_millis(%(budget_ms)d);
%(body)s
    println!("{} {{\"done\": true}}", NONCE);
}
'''


def harness_source(lib_paths: list[str], calls: list[tuple[str, tuple, list[str]]], nonce: str,
                   call_seconds: float, budget_seconds: float) -> str:
    modules = "\n".join(f'#[path = "{p}"]\nmod v{i};' for i, p in enumerate(lib_paths))
    body = []
    for v in range(len(lib_paths)):
        body.append(f"    {{ // variant {v}\n        let mut timeouts = 0u32;")
        for c, (function, args, types) in enumerate(calls):
            try:
                lits = [literal(a, t) for a, t in zip(args, types, strict=True)]
            except ValueError:
                body.append(f'        println!("{{}} {{{{\\"variant\\": {v}, \\"call\\": {c}, \\"skipped\\": \\"no literal\\"}}}}", NONCE);')
                continue
            body.append(
                f"        if timeouts < 2 && Instant::now() < deadline {{ call({v}, {c}, limit, &mut timeouts, "
                f"Box::new(move || format!(\"{{:?}}\", v{v}::{function}({', '.join(lits)})))); }}"
            )
        body.append("    }")
    return HARNESS_MAIN % {
        "modules": modules,
        "nonce": json.dumps(nonce),
        "limit_ms": int(call_seconds * 1000),
        "budget_ms": int(budget_seconds * 1000),
        "body": "\n".join(body),
    }
