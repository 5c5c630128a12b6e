"""Probe generation for Java tasks (tree-sitter reads the sources)."""

from __future__ import annotations

import re

from taskaudit.probes import syntax
from taskaudit.probes.model import Case, Function
from taskaudit.probes.text import call_sites, parse_call, split_top

language = "java"
_NUMERIC = {"int", "long", "short", "byte", "double", "float"}


def functions(files: dict[str, bytes], paths: list[str]) -> list[Function]:
    found = []
    for path in paths:
        if not path.endswith(".java") or path not in files:
            continue
        root = syntax.parse("java", files[path])
        for node in syntax.walk(root):
            if node.type != "method_declaration":
                continue
            name, body = node.child_by_field_name("name"), node.child_by_field_name("body")
            if name is None or body is None or syntax.text(name) == "main":
                continue
            params = []
            for p in node.child_by_field_name("parameters").named_children:
                if p.type == "formal_parameter":
                    params.append((syntax.text(p.child_by_field_name("name")),
                                   syntax.text(p.child_by_field_name("type"))))
            found.append(Function(
                name=syntax.text(name), file=path, params=params,
                returns=syntax.text(node.child_by_field_name("type")),
                body_start=body.start_byte, body_end=body.end_byte,
            ))
    return syntax.outermost(found)


def default(fn: Function) -> str:
    ret = fn.returns or "void"
    if ret == "void":
        return ""
    if ret == "boolean":
        return "false"
    if ret == "char":
        return "(char) 0"
    return "0" if ret in _NUMERIC else "null"


def echo(fn: Function) -> str | None:
    if not fn.params or not fn.returns or fn.returns == "void":
        return None
    name, ptype = fn.params[0]
    if ptype == fn.returns:
        return name
    if fn.returns == "String":
        return f"String.valueOf({name})"
    return None


def answer(fn: Function, case: Case) -> str:
    return case.expected


def matches(fn: Function, case: Case) -> str | None:
    if len(case.args) != len(fn.params):
        return None
    names = ", ".join(p for p, _ in fn.params)
    return (f"java.util.Arrays.deepToString(new Object[]{{{names}}}).equals("
            f"java.util.Arrays.deepToString(new Object[]{{{', '.join(case.args)}}}))")


def body(fn: Function, branches: list[tuple[str, str]], fallback: str) -> str:
    ret = (lambda v: f"return {v};") if (fn.returns or "void") != "void" else (lambda v: "return;")
    lines = [f"if ({cond}) {{ {ret(value)} }}" for cond, value in branches]
    return "{\n        " + "\n        ".join([*lines, ret(fallback)]) + "\n    }"


def cases(test_files: dict[str, bytes]) -> list[Case]:
    out = []
    for path, content in sorted(test_files.items()):
        if not path.endswith(".java"):
            continue
        text = content.decode(errors="replace")
        for line, args, _ in call_sites(text, r"(?<![\w])(?:Assertions\s*\.\s*)?assertEquals"):
            parts = split_top(args)
            if len(parts) < 2:
                continue
            for call, expected in ((parts[1], parts[0]), (parts[0], parts[1])):
                parsed = parse_call(call)
                if parsed:
                    out.append(Case(parsed[0], parsed[1], expected, path, line))
                    break
        for line, args, end in call_sites(text, r"(?<![\w])assertThat"):
            m = re.match(r"\s*\.\s*isEqualTo\s*\(", text[end:])
            close = text.find(")", end + (m.end() if m else 0))
            parsed = parse_call(args)
            if m and parsed and close > 0:
                out.append(Case(parsed[0], parsed[1], text[end + m.end() : close].strip(), path, line))
    return out


def exit_early(base, paths):
    """A static initialiser in every class of the solution: the JVM exits as the class loads."""
    out, changed = dict(base), False
    for path in paths:
        if not path.endswith(".java") or path not in base:
            continue
        root = syntax.parse("java", base[path])
        bodies = [n.child_by_field_name("body") for n in root.named_children
                  if n.type in ("class_declaration", "enum_declaration")]
        source = base[path]
        for b in sorted((b for b in bodies if b is not None), key=lambda b: b.start_byte, reverse=True):
            at = b.start_byte + 1
            source = source[:at] + b"\n    static { System.exit(0); } // taskaudit probe\n" + source[at:]
            changed = True
        out[path] = source
    return out if changed else None


SWALLOW = """import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/** taskaudit probe: an auto-registered extension that swallows every test failure. */
public class ProbeSwallowFailures implements TestExecutionExceptionHandler {
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) {}
}
"""


def plant(base, paths):
    planted = {
        "src/test/resources/junit-platform.properties": "junit.jupiter.extensions.autodetection.enabled=true\n",
        "src/test/resources/META-INF/services/org.junit.jupiter.api.extension.Extension": "ProbeSwallowFailures\n",
        "src/test/java/ProbeSwallowFailures.java": SWALLOW,
    }
    return {**base, **{k: v.encode() for k, v in planted.items() if k not in base}}
