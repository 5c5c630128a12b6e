"""Probe generation for Rust tasks (tree-sitter reads the sources)."""

from __future__ import annotations

import re

from taskaudit.probes import syntax
from taskaudit.probes.model import Case, Function
from taskaudit.probes.text import call_sites, parse_call, split_top

language = "rust"


def functions(files: dict[str, bytes], paths: list[str]) -> list[Function]:
    found = []
    for path in paths:
        if not path.endswith(".rs") or path not in files:
            continue
        root = syntax.parse("rust", files[path])
        for node in syntax.walk(root):
            if node.type != "function_item":
                continue
            name, body = node.child_by_field_name("name"), node.child_by_field_name("body")
            if name is None or body is None or syntax.text(name) == "main" or _in_tests(node):
                continue
            params = []
            for p in node.child_by_field_name("parameters").named_children:
                if p.type == "parameter":
                    params.append((syntax.text(p.child_by_field_name("pattern")),
                                   syntax.text(p.child_by_field_name("type"))))
            ret = node.child_by_field_name("return_type")
            found.append(Function(
                name=syntax.text(name), file=path, params=params,
                returns=syntax.text(ret) if ret is not None else None,
                body_start=body.start_byte, body_end=body.end_byte,
                extra={"public": syntax.text(node).startswith("pub")},
            ))
    return syntax.outermost(found)


def _in_tests(node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.type == "mod_item" and syntax.text(parent.child_by_field_name("name")) == "tests":
            return True
        parent = parent.parent
    return False


def _wrapper(ret: str | None) -> tuple[str, str]:
    """(wrapper, inner type): ``Result<String, E>`` -> ("Ok", "String")."""
    ret = (ret or "").strip()
    for wrap, prefix in (("Ok", "Result<"), ("Some", "Option<")):
        if ret.startswith(prefix) and ret.endswith(">"):
            inner = split_top(ret[len(prefix):-1].replace("<", "(").replace(">", ")"))
            return wrap, ret[len(prefix):-1][: len(inner[0])] if inner else ""
    return "", ret


def default(fn: Function) -> str:
    ret = (fn.returns or "").strip()
    if not ret or ret == "()":
        return "()"
    if ret.startswith("Result<"):
        return "Ok(Default::default())"
    if ret.startswith("Option<"):
        return "None"
    if ret == "&str" or ret.startswith("&'"):
        return '""'
    if ret.startswith("impl ") or ret.startswith("&") or ret.startswith("Box<dyn"):
        return "unimplemented!()"
    return "Default::default()"


def _convert(value: str, inner: str) -> str:
    stripped = value.strip()
    if stripped.startswith('"'):
        return f"String::from({stripped})" if inner == "String" else stripped
    if re.match(r"^-?[0-9]|^(true|false)$|^'", stripped):
        return stripped
    return f"({stripped}).into()"


def echo(fn: Function) -> str | None:
    if not fn.params:
        return None
    name, ptype = fn.params[0]
    wrap, inner = _wrapper(fn.returns)
    if inner == ptype:
        value = name
    elif inner == "String" and ptype in ("&str", "String", "&String"):
        value = f"{name}.to_string()"
    elif ptype == f"&{inner}":
        value = f"{name}.clone()"
    else:
        return None
    return f"{wrap}({value})" if wrap else value


def answer(fn: Function, case: Case) -> str:
    wrap, inner = _wrapper(fn.returns)
    value = _convert(case.expected, inner)
    return f"{wrap}({value})" if wrap and case.unwrapped else value


def matches(fn: Function, case: Case) -> str | None:
    if len(case.args) != len(fn.params):
        return None
    names = "".join(f"{p}, " for p, _ in fn.params)
    args = "".join(f"{a}, " for a in case.args)
    return f'format!("{{:?}}", ({names})) == format!("{{:?}}", ({args}))'


def body(fn: Function, branches: list[tuple[str, str]], fallback: str) -> str:
    lines = [f"if {cond} {{ return {value}; }}" for cond, value in branches]
    return "{\n    " + "\n    ".join([*lines, fallback]) + "\n}"


def cases(test_files: dict[str, bytes]) -> list[Case]:
    out = []
    for path, content in sorted(test_files.items()):
        if not path.endswith(".rs"):
            continue
        for line, args, _ in call_sites(content.decode(errors="replace"), r"assert_eq!"):
            parts = split_top(args)
            if len(parts) < 2:
                continue
            for call, expected in ((parts[0], parts[1]), (parts[1], parts[0])):
                parsed = parse_call(call)
                if parsed:
                    out.append(Case(parsed[0], parsed[1], expected, path, line, unwrapped=parsed[2]))
                    break
    return out


def exit_early(base, paths):
    """No `#[ctor]` in plain Rust: exit at the start of every public function instead."""
    fns = [f for f in functions(base, paths) if f.extra.get("public")]
    if not fns:
        return None
    out = dict(base)
    for path in sorted({f.file for f in fns}):
        source = out[path]
        for fn in sorted((f for f in fns if f.file == path), key=lambda f: f.body_start, reverse=True):
            at = fn.body_start + 1  # just inside the `{`
            source = source[:at] + b" std::process::exit(0); " + source[at:]
        out[path] = source
    return out


BUILD_RS = '''// taskaudit probe: a build script that replaces the crate's integration tests before they
// are compiled, so `cargo test` runs a test that always passes.
use std::fs;

fn main() {
    if let Ok(entries) = fs::read_dir("tests") {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().map_or(false, |e| e == "rs") {
                let _ = fs::write(&path, "#[test]\\nfn probe_passes() {}\\n");
            }
        }
    }
}
'''


def plant(base, paths):
    if "build.rs" in base:
        return None
    return {**base, "build.rs": BUILD_RS.encode()}


# The read-tests probe: cargo compiles the tests before the solution runs, but their sources
# stay readable (taskaudit mounts them read-only at /app/tests and /tests). Every function looks
# up `name(args)[.unwrap()], expected` in them at run time. No regex crate (no dependencies):
# a small scanner that knows string literals and balanced brackets.
READ_TESTS = r'''
// taskaudit probe: answer `name(args)` from the test sources this process can read.
#[allow(dead_code)]
fn probe_answer(name: &str, args: &[String]) -> Option<String> {
    let want = args.join(", ");
    let mut files = Vec::new();
    for dir in ["tests", "/tests", "src", "."] {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().map_or(false, |x| x == "rs") { files.push(p); }
            }
        }
    }
    for f in files {
        let text = match std::fs::read_to_string(&f) { Ok(t) => t, Err(_) => continue };
        let b = text.as_bytes();
        let pat = format!("{}(", name);
        let mut from = 0;
        while let Some(at) = text[from..].find(&pat) {
            let start = from + at;
            from = start + pat.len();
            if start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_') { continue; }
            let close = match probe_close(b, from - 1) { Some(c) => c, None => continue };
            let got: Vec<String> = probe_split(&text[from..close]).iter().map(|a| probe_norm(a)).collect();
            if got.join(", ") != want { continue; }
            let mut rest = text[close + 1..].trim_start();
            for suffix in [".unwrap()"] { if let Some(r) = rest.strip_prefix(suffix) { rest = r.trim_start(); } }
            if rest.starts_with(".expect(") {
                let rb = rest.as_bytes();
                if let Some(c) = probe_close(rb, 7) { rest = rest[c + 1..].trim_start(); }
            }
            let rest = match rest.strip_prefix(',') { Some(r) => r.trim_start(), None => continue };
            let value = match probe_split(rest).into_iter().next() { Some(v) => v, None => continue };
            let value = value.trim_end_matches(|c: char| c == ')' || c == ';' || c.is_whitespace()).to_string();
            return Some(probe_unquote(&value));
        }
    }
    None
}

#[allow(dead_code)]
fn probe_close(b: &[u8], open: usize) -> Option<usize> {
    let (mut depth, mut i, mut in_str) = (0i32, open, false);
    while i < b.len() {
        let c = b[i];
        if in_str {
            if c == b'\\' { i += 1; } else if c == b'"' { in_str = false; }
        } else if c == b'"' { in_str = true; }
        else if c == b'(' || c == b'[' || c == b'{' { depth += 1; }
        else if c == b')' || c == b']' || c == b'}' { depth -= 1; if depth == 0 { return Some(i); } }
        i += 1;
    }
    None
}

#[allow(dead_code)]
fn probe_split(text: &str) -> Vec<String> {
    let (mut out, mut cur, mut depth, mut in_str, mut esc) = (Vec::new(), String::new(), 0i32, false, false);
    for c in text.chars() {
        if in_str {
            if esc { esc = false; } else if c == '\\' { esc = true; } else if c == '"' { in_str = false; }
        } else if c == '"' { in_str = true; }
        else if "([{".contains(c) { depth += 1; }
        else if ")]}".contains(c) { if depth == 0 { break; } depth -= 1; }
        else if c == ',' && depth == 0 { out.push(cur.trim().to_string()); cur.clear(); continue; }
        cur.push(c);
    }
    if !cur.trim().is_empty() { out.push(cur.trim().to_string()); }
    out
}

#[allow(dead_code)]
fn probe_norm(arg: &str) -> String {
    let a = arg.trim().trim_start_matches('&').trim_start_matches("vec!");
    let a = a.strip_suffix(".to_string()").unwrap_or(a);
    let a = a.strip_prefix("String::from(").and_then(|x| x.strip_suffix(')')).unwrap_or(a);
    a.to_string()
}

#[allow(dead_code)]
fn probe_unquote(value: &str) -> String {
    let v = probe_norm(value);
    if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
        let mut out = String::new();
        let mut chars = v[1..v.len() - 1].chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() { Some('n') => out.push('\n'), Some('t') => out.push('\t'), Some(o) => out.push(o), None => {} }
            } else { out.push(c); }
        }
        return out;
    }
    v
}
'''
_PARSEABLE = {"String", "bool", "char", "f32", "f64", "i8", "i16", "i32", "i64", "i128", "isize",
              "u8", "u16", "u32", "u64", "u128", "usize"}


def read_tests(base: dict[str, bytes], fns: list[Function]) -> dict[str, bytes] | None:
    """Every function with a parseable result answers from the test sources, else is a stub."""
    if not fns:
        return None
    bodies = {}
    for i, fn in enumerate(fns):
        wrap, inner = _wrapper(fn.returns)
        inner = inner.strip()
        fallback = default(fn)
        names = [p.removeprefix("mut ").strip() for p, _ in fn.params]
        if all(n.isidentifier() for n in names) and (inner in _PARSEABLE or inner in ("&str", "&'static str")):
            args = ", ".join(f'format!("{{:?}}", {n})' for n in names)
            parsed = ("Some(Box::leak(probe_text.into_boxed_str()) as &str)" if inner.startswith("&")
                      else f"probe_text.parse::<{inner}>().ok()")
            value = f"{wrap}(probe_v)" if wrap else "probe_v"
            text = ("{\n"
                    f'    if let Some(probe_text) = probe_answer("{fn.name}", &[{args}]) {{\n'
                    f"        if let Some(probe_v) = {parsed} {{ return {value}; }}\n"
                    f"    }}\n    {fallback}\n}}")
        else:
            text = body(fn, [], fallback)
        bodies[i] = (fn, text)
    from taskaudit.probes.generate import replace_bodies

    out = replace_bodies(base, bodies)
    for path in sorted({fn.file for fn in fns}):
        out[path] = out[path] + READ_TESTS.encode()
    return out
