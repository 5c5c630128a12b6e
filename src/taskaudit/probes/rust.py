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
