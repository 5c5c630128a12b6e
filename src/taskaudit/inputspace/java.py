"""Java input-space support: targets, seeds and plausible-wrong variants from tree-sitter trees,
and the generated harness (every variant compiled on its own, loaded by its own class loader
in one JVM, methods called by reflection).

- Targets: ``public static`` methods of the top-level public classes of the solution's
  ``.java`` files that the tests call or the statement names, whose parameter types the harness
  can write literals of: ``String``, ``int``, ``long``, ``double``, ``boolean``, their arrays,
  ``List<Integer|Long|Double|String|Boolean>``.
- Seeds: calls ``Cls.m(...)`` / ``m(...)`` in the test files with literal arguments (strings,
  numbers, booleans, unary minus, ``new int[]{...}``, ``List.of(...)`` / ``Arrays.asList(...)``).
- Results compare by a printed form: ``String.valueOf`` (``Arrays.deepToString`` for arrays),
  an exception by its class name.
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

_SCALARS = {"String": "str", "int": "int", "long": "int", "double": "float", "boolean": "bool",
            "Integer": "int", "Long": "int", "Double": "float", "Boolean": "bool"}
_BOXED = {"int": "Integer", "long": "Long", "double": "Double", "boolean": "Boolean"}


def _parse(source: bytes, path: str = ""):
    return treesitter.parse("java", source)


def _python_hint(java_type: str) -> str | None:
    t = java_type.replace(" ", "")
    if t in _SCALARS and t[0].islower() or t == "String":
        return _SCALARS[t]
    if t.endswith("[]"):
        inner = _python_hint(t[:-2])
        return f"list[{inner}]" if inner else None
    m = re.fullmatch(r"(?:java\.util\.)?List<(\w+)>", t)
    if m and m.group(1) in _SCALARS:
        return f"list[{_SCALARS[m.group(1)]}]"
    return None


# --------------------------------------------------------------------------- targets


def called_names(test_files: dict[str, bytes]) -> set[str]:
    return treesitter.called_names(test_files, (".java",), _parse, "method_invocation",
                                   lambda n: _text(n.child_by_field_name("name")))


def targets(task: Task, workspace: dict[str, bytes]) -> list[Target]:
    wanted = called_names(task.test_files) | set(re.findall(r"[A-Za-z_]\w*", task.statement))
    paths = task.solution_paths or sorted(task.solution_files)
    out: list[Target] = []
    for path in sorted(paths):
        if not path.endswith(".java") or path not in workspace or "/test/" in f"/{path}":
            continue
        root = _parse(workspace[path])
        package = next((_text(n.named_children[0]) for n in root.named_children if n.type == "package_declaration"), "")
        for cls in root.named_children:
            if cls.type != "class_declaration":
                continue
            qualified = f"{package}.{_text(cls.child_by_field_name('name'))}" if package else _text(cls.child_by_field_name("name"))
            for m in cls.child_by_field_name("body").named_children:
                if m.type != "method_declaration":
                    continue
                modifiers = next((_text(c) for c in m.children if c.type == "modifiers"), "")
                name = _text(m.child_by_field_name("name"))
                if "public" not in modifiers.split() or "static" not in modifiers.split() or name not in wanted:
                    continue
                params, types, ok = [], [], True
                for p in m.child_by_field_name("parameters").named_children:
                    typ, pname = p.child_by_field_name("type"), p.child_by_field_name("name")
                    hint = _python_hint(_text(typ)) if typ is not None else None
                    if p.type != "formal_parameter" or hint is None or pname is None:
                        ok = False
                        break
                    params.append(Param(_text(pname), ast.parse(hint, mode="eval").body))
                    types.append(_text(typ).replace(" ", ""))
                if ok and params:
                    out.append(Target(module=qualified, function=name, params=params, path=path,
                                      line=m.start_point[0] + 1, native_types=types))
    return out


# --------------------------------------------------------------------------- seeds


class _NotLiteral(Exception):
    pass


def evaluate(node):
    t = node.type
    if t == "string_literal":
        try:
            return json.loads(_text(node))
        except ValueError:
            raise _NotLiteral("string escape") from None
    if t in ("decimal_integer_literal", "hex_integer_literal"):
        return int(_text(node).rstrip("lL").replace("_", ""), 0)
    if t == "decimal_floating_point_literal":
        return float(_text(node).rstrip("dDfF").replace("_", ""))
    if t in ("true", "false"):
        return t == "true"
    if t == "unary_expression" and _text(node).startswith("-"):
        value = evaluate(node.named_children[0])
        if isinstance(value, (int, float)):
            return -value
    if t == "parenthesized_expression":
        return evaluate(node.named_children[0])
    if t == "array_creation_expression":
        init = next((c for c in node.named_children if c.type == "array_initializer"), None)
        if init is not None:
            return [evaluate(c) for c in init.named_children]
    if t == "array_initializer":
        return [evaluate(c) for c in node.named_children]
    if t == "method_invocation" and _text(node).startswith(("List.of(", "Arrays.asList(", "java.util.List.of(")):
        return [evaluate(c) for c in node.child_by_field_name("arguments").named_children]
    raise _NotLiteral(t)


def seeds(test_files: dict[str, bytes], target: Target) -> list[tuple]:
    out, seen = [], set()
    for path in sorted(test_files):
        if not path.endswith(".java"):
            continue
        for n in _walk(_parse(test_files[path])):
            if n.type != "method_invocation" or _text(n.child_by_field_name("name")) != target.function:
                continue
            args = n.child_by_field_name("arguments").named_children
            if len(args) != len(target.params):
                continue
            try:
                values = tuple(evaluate(a) for a in args)
            except (_NotLiteral, ValueError, RecursionError, AttributeError):
                continue
            if repr(values) not in seen:
                seen.add(repr(values))
                out.append(values)
    return out


# --------------------------------------------------------------------------- wrong variants

_UNWRAP_METHODS = {"toLowerCase", "toUpperCase", "trim", "strip", "stripLeading", "stripTrailing"}


def plausible_wrong(path: str, source: bytes) -> list[SourceEdit]:
    root = _parse(source)
    edits = NodeEdits(path, source, lambda changed: not _parse(changed).has_error)
    add = edits.add

    for n in _walk(root):
        if n.type == "method_invocation":
            name, obj = _text(n.child_by_field_name("name")), n.child_by_field_name("object")
            args = n.child_by_field_name("arguments").named_children
            if name in _UNWRAP_METHODS and obj is not None and not args:
                add(n, f"({_text(obj)})", f".{name}() removed")
            elif obj is not None and _text(obj) == "Math" and name == "abs" and len(args) == 1:
                add(n, f"({_text(args[0])})", "Math.abs(...) removed")
        elif n.type == "expression_statement" and n.named_children and n.named_children[0].type == "method_invocation":
            call = n.named_children[0]
            obj = call.child_by_field_name("object")
            if obj is not None and _text(obj) in ("Arrays", "Collections") and _text(call.child_by_field_name("name")) in ("sort", "reverse"):
                add(n, ";", f"{_text(obj)}.{_text(call.child_by_field_name('name'))}(...) call dropped")
        elif n.type == "binary_expression":
            op = n.child_by_field_name("operator")
            if op is not None and _text(op) in ("<=", ">="):
                new = _text(op)[0]
                add(n, f"{_text(n.child_by_field_name('left'))} {new} {_text(n.child_by_field_name('right'))}",
                    f"{_text(op)} narrowed to {new}")
        elif n.type == "if_statement" and n.child_by_field_name("alternative") is None:
            body = n.child_by_field_name("consequence")
            last = body.named_children[-1] if body is not None and body.type == "block" and body.named_children else body
            if last is not None and last.type in ("return_statement", "throw_statement", "continue_statement"):
                add(n, ";", f"special case `if {_text(n.child_by_field_name('condition'))}` dropped")

    return edits.distinct()


# --------------------------------------------------------------------------- harness source


def _java_string(value: str) -> str:
    out = []
    for ch in value:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif code < 32 or code > 126:
            out.extend(f"\\u{unit:04x}" for unit in _utf16(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _utf16(ch: str) -> list[int]:
    data = ch.encode("utf-16-be")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]


def literal(value, java_type: str) -> str:
    t = java_type.replace(" ", "")
    if t == "String":
        if not isinstance(value, str):
            raise ValueError("not a string")
        return _java_string(value)
    if t in ("boolean", "Boolean"):
        if not isinstance(value, bool):
            raise ValueError("not a bool")
        return "true" if value else "false"
    if t in ("int", "Integer", "long", "Long"):
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= 2**31:
            raise ValueError("not an int in range")
        return f"{value}L" if t in ("long", "Long") else f"{value}"
    if t in ("double", "Double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ValueError("not a finite number")
        return f"{float(value)!r}d"
    if t.endswith("[]"):
        if not isinstance(value, (list, tuple)):
            raise ValueError("not a list")
        return f"new {t}{{" + ", ".join(literal(v, t[:-2]) for v in value) + "}"
    m = re.fullmatch(r"(?:java\.util\.)?List<(\w+)>", t)
    if m:
        if not isinstance(value, (list, tuple)):
            raise ValueError("not a list")
        items = ", ".join(literal(v, m.group(1)) for v in value)
        return f"new java.util.ArrayList<{m.group(1)}>(java.util.Arrays.<{m.group(1)}>asList({items}))"
    raise ValueError(f"no literal for {java_type}")


def _class_literal(java_type: str) -> str:
    t = java_type.replace(" ", "")
    if t.startswith(("List<", "java.util.List<")):
        return "java.util.List.class"
    return f"{t}.class"


HARNESS_MAIN = r'''// Generated by taskaudit (input-space analysis): calls each variant on every input.
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.concurrent.*;

public class TaskauditInputs {
    static final String NONCE = %(nonce)s;

    interface Body { Object run(Class<?> k) throws Throwable; }

    static String esc(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') b.append('\\').append(ch);
            else if (ch < 0x20) b.append(String.format("\\u%%04x", (int) ch));
            else b.append(ch);
        }
        return b.append('"').toString();
    }

    static String show(Object o) {
        if (o == null) return "null";
        if (o.getClass().isArray()) {
            String s = Arrays.deepToString(new Object[] {o});
            return s.substring(1, s.length() - 1);
        }
        return o.getClass().getSimpleName() + ":" + String.valueOf(o);
    }

    static void compile(int v, String[] files) throws Exception {
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        String[] argv = new String[files.length + 6];
        argv[0] = "-d"; argv[1] = "/tmp/taskaudit-classes/" + v; argv[2] = "-encoding"; argv[3] = "UTF-8";
        argv[4] = "-nowarn"; argv[5] = "-proc:none";
        System.arraycopy(files, 0, argv, 6, files.length);
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        if (javac.run(null, err, err, argv) != 0) throw new IllegalStateException("does not compile: " + err);
    }

    static void emit(String json) { System.out.println(NONCE + " " + json); System.out.flush(); }

    static boolean call(ExecutorService ex, Class<?> k, int v, int c, long limitMs, Body body) {
        long start = System.nanoTime();
        Future<Object> f = ex.submit(() -> { try { return body.run(k); } catch (Throwable t) { throw new ExecutionException(t); } });
        String head = "{\"variant\": " + v + ", \"call\": " + c + ", ";
        try {
            Object out = f.get(limitMs, TimeUnit.MILLISECONDS);
            double ms = (System.nanoTime() - start) / 1e6;
            emit(head + "\"ms\": " + ms + ", \"value\": {\"repr\": " + esc(show(out)) + ", \"type\": \"java\"}}");
            return true;
        } catch (TimeoutException e) {
            f.cancel(true);
            emit(head + "\"timeout\": true}");
            return false;
        } catch (Throwable e) {
            Throwable t = e;
            while ((t instanceof ExecutionException || t instanceof InvocationTargetException) && t.getCause() != null) t = t.getCause();
            double ms = (System.nanoTime() - start) / 1e6;
            StringBuilder bases = new StringBuilder("[");
            for (Class<?> sup = t.getClass().getSuperclass(); sup != null; sup = sup.getSuperclass()) {
                if (bases.length() > 1) bases.append(", ");
                bases.append(esc(sup.getSimpleName()));
            }
            bases.append("]");
            emit(head + "\"ms\": " + ms + ", \"raise\": " + esc(t.getClass().getSimpleName()) + ", \"bases\": " + bases + ", \"message\": " + esc(String.valueOf(t.getMessage())) + "}");
            return true;
        }
    }

    public static void main(String[] args) throws Exception {
        ExecutorService ex = Executors.newCachedThreadPool(r -> { Thread t = new Thread(r); t.setDaemon(true); return t; });
        long deadline = System.currentTimeMillis() + %(budget_ms)d;
        java.io.PrintStream quiet = new java.io.PrintStream(java.io.OutputStream.nullOutputStream());
        java.io.PrintStream real = System.out;
%(body)s
        emit("{\"done\": true}");
        System.exit(0);
    }
}
'''


def harness_source(class_name: str, sources: list[list[str]], calls: list[tuple[str, tuple, list[str]]], nonce: str,
                   call_seconds: float, budget_seconds: float) -> str:
    """The harness: ``sources[v]`` are variant v's source files (sandbox paths), compiled in
    the harness's own JVM (javax.tools) into their own directory, loaded by their own loader."""
    body = []
    for v in range(len(sources)):
        body.append(
            f"        {{ // variant {v}\n"
            f"            Class<?> k;\n"
            f"            try {{\n"
            f"                compile({v}, new String[] {{{', '.join(json.dumps(f) for f in sources[v])}}});\n"
            f'                URLClassLoader loader = new URLClassLoader(new URL[] {{Paths.get("/tmp/taskaudit-classes/{v}/").toUri().toURL()}}, TaskauditInputs.class.getClassLoader());\n'
            f"                k = Class.forName({json.dumps(class_name)}, true, loader);\n"
            f"            }} catch (Throwable t) {{\n"
            f'                emit("{{\\"variant\\": {v}, \\"import_error\\": " + esc(String.valueOf(t)) + "}}");\n'
            f"                k = null;\n"
            f"            }}\n"
            f"            int timeouts = 0;"
        )
        for c, (function, args, types) in enumerate(calls):
            try:
                lits = [literal(a, t) for a, t in zip(args, types, strict=True)]
            except ValueError:
                body.append(f'            if (k != null) emit("{{\\"variant\\": {v}, \\"call\\": {c}, \\"skipped\\": \\"no literal\\"}}");')
                continue
            classes = ", ".join(_class_literal(t) for t in types)
            body.append(
                f"            if (k != null && timeouts < 2 && System.currentTimeMillis() < deadline) {{\n"
                f"                if (!call(ex, k, {v}, {c}, {int(call_seconds * 1000)}L, kk -> kk.getMethod({json.dumps(function)}, {classes})"
                f".invoke(null, new Object[] {{{', '.join(lits)}}}))) timeouts++;\n"
                f"            }}"
            )
        body.append("        }")
    return HARNESS_MAIN % {"nonce": json.dumps(nonce), "budget_ms": int(budget_seconds * 1000), "body": "\n".join(body)}


# --------------------------------------------------------------------------- missing tests

_SHOWN = re.compile(r"^(String|Integer|Long|Boolean|Double):(.*)$", re.S)


def junit_test(task: Task, target: Target, args: tuple, expected, why: str):
    """A JUnit 5 test in the tests' style (``Cls.method(...)``), or None when the expected
    output has no Java literal (only strings, numbers, booleans and exceptions do)."""
    from taskaudit.inputspace.missing_tests import MissingTest

    try:
        call_args = ", ".join(literal(a, t) for a, t in zip(args, target.native_types, strict=True))
    except ValueError:
        return None
    cls = target.module.rsplit(".", 1)[-1]
    call = f"{cls}.{target.function}({call_args})"
    imports = ["import static org.junit.jupiter.api.Assertions.*;", "", "import org.junit.jupiter.api.Test;"]
    if "." in target.module:
        imports.insert(0, f"import {target.module};")
    if expected.kind == "raise":
        check = f"        assertThrows({expected.error}.class, () -> {call});"
        if not re.fullmatch(r"[A-Z]\w*", expected.error):
            return None
    elif expected.kind == "value" and isinstance(expected.value, dict) and "repr" in expected.value:
        m = _SHOWN.match(str(expected.value["repr"]))
        if m is None:
            return None
        kind, text = m.groups()
        value = _java_string(text) if kind == "String" else text + ("L" if kind == "Long" else "")
        if kind == "Double":
            check = f"        assertEquals({text}, {call}, 1e-9);"
        else:
            check = f"        assertEquals({value}, {call});"
    else:
        return None
    name = re.sub(r"\W+", "_", f"{target.function}_{why}").strip("_")[:60]
    source = (
        "// Written by taskaudit (input-space analysis): pins the reference's behaviour on an\n"
        f"// input no test covers ({why}).\n" + "\n".join(imports) + "\n\n"
        "class TaskauditMissingTest {\n    @Test\n"
        f"    void {name}() {{\n{check}\n    }}\n}}\n"
    )
    return MissingTest("TaskauditMissingTest.java", source)
