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


# The read-tests probe: the tests are compiled before the solution's code runs, but their
# sources stay readable (taskaudit mounts them read-only at /tests, and src/test inside the
# workspace). Every method looks up `assertEquals(expected, name(args))` in them at run time.
READ_TESTS = r'''
    // taskaudit probe: answer name(args) from the test sources this process can read.
    static String probeAnswer(String name, Object... args) {
        StringBuilder want = new StringBuilder();
        for (Object a : args) {
            if (want.length() > 0) want.append(", ");
            if (a instanceof String s) want.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            else if (a instanceof Character c) want.append('\'').append(c).append('\'');
            else want.append(a);
        }
        java.util.regex.Pattern p = java.util.regex.Pattern.compile(
            "assertEquals\\s*\\(\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|[^,()]+?)\\s*,\\s*[\\w.]*\\b"
            + java.util.regex.Pattern.quote(name) + "\\s*\\(((?:\"(?:[^\"\\\\]|\\\\.)*\"|[^()\"])*)\\)\\s*\\)");
        for (String dir : new String[] {"/tests", "src/test", "."}) {
            java.util.List<java.nio.file.Path> files;
            try (var walk = java.nio.file.Files.walk(java.nio.file.Path.of(dir), 6)) {
                files = walk.filter(f -> f.toString().endsWith(".java")).toList();
            } catch (Exception e) { continue; }
            for (java.nio.file.Path f : files) {
                String text;
                try { text = java.nio.file.Files.readString(f); } catch (Exception e) { continue; }
                java.util.regex.Matcher m = p.matcher(text);
                while (m.find()) {
                    StringBuilder got = new StringBuilder();
                    for (String a : probeSplit(m.group(2))) {
                        if (got.length() > 0) got.append(", ");
                        got.append(a.replaceAll("^(-?[0-9.]+)[LlFfDd]$", "$1"));
                    }
                    if (got.toString().equals(want.toString())) {
                        String v = m.group(1).trim();
                        if (v.length() >= 2 && (v.startsWith("\"") || v.startsWith("'"))) {
                            v = v.substring(1, v.length() - 1).replace("\\n", "\n").replace("\\t", "\t")
                                .replace("\\\"", "\"").replace("\\\\", "\\");
                        }
                        return v.replaceAll("^(-?[0-9.]+)[LlFfDd]$", "$1");
                    }
                }
            }
        }
        return null;
    }

    static java.util.List<String> probeSplit(String text) {
        java.util.List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString && c == '\\' && i + 1 < text.length()) { cur.append(c).append(text.charAt(++i)); continue; }
            if (c == '"') inString = !inString;
            if (c == ',' && !inString) { out.add(cur.toString().trim()); cur.setLength(0); continue; }
            cur.append(c);
        }
        if (cur.toString().trim().length() > 0) out.add(cur.toString().trim());
        return out;
    }
'''
_PARSE = {
    "String": "probeText",
    "int": "Integer.parseInt(probeText)", "Integer": "Integer.valueOf(probeText)",
    "long": "Long.parseLong(probeText)", "Long": "Long.valueOf(probeText)",
    "double": "Double.parseDouble(probeText)", "Double": "Double.valueOf(probeText)",
    "float": "Float.parseFloat(probeText)", "boolean": "Boolean.parseBoolean(probeText)",
    "char": "probeText.charAt(0)",
}


def read_tests(base: dict[str, bytes], fns: list[Function]) -> dict[str, bytes] | None:
    """Every method with a parseable result answers from the test sources, else is a stub."""
    files = sorted({fn.file for fn in fns})
    anchors = {}
    for path in files:
        root = syntax.parse("java", base[path])
        cls = next((n.child_by_field_name("body") for n in root.named_children
                    if n.type == "class_declaration"), None)
        if cls is not None:
            anchors[path] = cls.end_byte - 1  # just before the class's closing brace
    usable = [fn for fn in fns if fn.file in anchors]
    if not usable:
        return None
    bodies = {}
    for i, fn in enumerate(usable):
        parse = _PARSE.get((fn.returns or "").strip())
        if parse is None:
            bodies[i] = (fn, body(fn, [], default(fn)))
            continue
        args = ", ".join(p for p, _ in fn.params)
        call = f'probeAnswer("{fn.name}"{", " if args else ""}{args})'
        bodies[i] = (fn, (
            "{\n"
            f"        String probeText = {call};\n"
            f"        if (probeText != null) {{ try {{ return {parse}; }} catch (RuntimeException probeE) {{ }} }}\n"
            f"        return {default(fn)};\n    }}"
        ))
    out = dict(base)
    # Helpers first (they sit after every method body, so offsets of the bodies still hold).
    for path, at in anchors.items():
        out[path] = out[path][:at] + READ_TESTS.encode() + out[path][at:]
    from taskaudit.probes.generate import replace_bodies

    return replace_bodies(out, bodies)
