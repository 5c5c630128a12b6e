"""Probe generation for JavaScript and TypeScript tasks (tree-sitter reads the sources)."""

from __future__ import annotations

import re

from taskaudit.probes import syntax
from taskaudit.probes.model import Case, Function
from taskaudit.probes.text import call_sites, parse_call, split_comparison, split_top

JS_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx")
TS_SUFFIXES = (".ts", ".mts", ".cts", ".tsx")


class JsProbes:
    def __init__(self, typescript: bool) -> None:
        self.ts = typescript
        self.language = "typescript" if typescript else "javascript"
        self.suffixes = TS_SUFFIXES + JS_SUFFIXES if typescript else JS_SUFFIXES

    def _grammar(self, path: str) -> str:
        return "typescript" if path.endswith(TS_SUFFIXES) else "javascript"

    def _cast(self, expr: str, path: str) -> str:
        return f"({expr}) as any" if path.endswith(TS_SUFFIXES) else expr

    # -------------------------------------------------------------- functions

    def functions(self, files: dict[str, bytes], paths: list[str]) -> list[Function]:
        found = []
        for path in paths:
            if not path.endswith(self.suffixes) or path not in files:
                continue
            root = syntax.parse(self._grammar(path), files[path])
            for node in syntax.walk(root):
                fn = self._function(node, path)
                if fn:
                    found.append(fn)
        return syntax.outermost(found)

    def _function(self, node, path: str) -> Function | None:
        if node.type in ("function_declaration", "method_definition", "function_expression"):
            name_node, fn_node = node.child_by_field_name("name"), node
        elif node.type == "variable_declarator":
            value = node.child_by_field_name("value")
            if value is None or value.type not in ("arrow_function", "function_expression", "function"):
                return None
            name_node, fn_node = node.child_by_field_name("name"), value
        else:
            return None
        body = fn_node.child_by_field_name("body")
        if name_node is None or body is None or syntax.text(name_node) == "constructor":
            return None
        params_node = fn_node.child_by_field_name("parameters") or fn_node.child_by_field_name("parameter")
        params = []
        if params_node is not None:
            children = [params_node] if params_node.type == "identifier" else params_node.named_children
            for p in children:
                ident = p if p.type == "identifier" else next(
                    (c for c in syntax.walk(p) if c.type == "identifier"), None)
                if ident is not None:
                    params.append((syntax.text(ident), None))
        returns = fn_node.child_by_field_name("return_type")
        return Function(
            name=syntax.text(name_node),
            file=path,
            params=params,
            returns=syntax.text(returns) if returns is not None else None,
            body_start=body.start_byte,
            body_end=body.end_byte,
            extra={"expression_body": body.type != "statement_block"},
        )

    # -------------------------------------------------------------- bodies

    def default(self, fn: Function) -> str:
        return self._cast("undefined", fn.file)

    def echo(self, fn: Function) -> str | None:
        return self._cast(fn.params[0][0], fn.file) if fn.params else None

    def answer(self, fn: Function, case: Case) -> str:
        return self._cast(case.expected, fn.file)

    def matches(self, fn: Function, case: Case) -> str | None:
        if len(case.args) != len(fn.params):
            return None
        names = ", ".join(p for p, _ in fn.params)
        return f"JSON.stringify([{names}]) === JSON.stringify([{', '.join(case.args)}])"

    def body(self, fn: Function, branches: list[tuple[str, str]], fallback: str) -> str:
        if fn.extra.get("expression_body"):
            expr = fallback
            for cond, value in reversed(branches):
                expr = f"({cond}) ? ({value}) : ({expr})"
            return f"({expr})"
        lines = [f"if ({cond}) return {value};" for cond, value in branches]
        return "{ " + " ".join([*lines, f"return {fallback};"]) + " }"

    # -------------------------------------------------------------- cases

    def cases(self, test_files: dict[str, bytes]) -> list[Case]:
        out = []
        for path, content in sorted(test_files.items()):
            if not path.endswith(JS_SUFFIXES + TS_SUFFIXES):
                continue
            text = content.decode(errors="replace")
            for line, args, end in call_sites(text, r"(?<![\w.])expect"):
                m = re.match(r"\s*\.\s*(?:toBe|toEqual|toStrictEqual)\s*\(", text[end:])
                if not m:
                    continue
                parts = split_top(args)
                close = text.find(")", end + m.end())
                expected = split_top(text[end + m.end() : close]) if close > 0 else []
                self._add(out, path, line, parts[:1], expected[:1])
            for line, args, _ in call_sites(
                text, r"(?<![\w])(?:assert\s*\.\s*)?(?:strictEqual|equal|deepEqual|deepStrictEqual)"
            ):
                parts = split_top(args)
                self._add(out, path, line, parts[:1], parts[1:2])
            # console.assert(f(x) === y) (HumanEval-X), assert(f(x) === y), assert.ok(...)
            for line, args, _ in call_sites(text, r"(?<![\w.])(?:console\s*\.\s*assert|assert\s*\.\s*ok|assert)"):
                parts = split_top(args)
                pair = split_comparison(parts[0]) if parts else None
                if pair:
                    self._add(out, path, line, [pair[0]], [pair[1]])
        return out

    def _add(self, out, path, line, call_part, expected_part) -> None:
        if len(call_part) != 1 or len(expected_part) != 1:
            return
        for call, expected in ((call_part[0], expected_part[0]), (expected_part[0], call_part[0])):
            parsed = parse_call(call)
            if parsed and parsed[0] not in ("expect", "require"):
                out.append(Case(parsed[0], parsed[1], expected, path, line))
                return

    # -------------------------------------------------------------- harness attacks

    def _targets(self, base, paths):
        return [p for p in paths if p.endswith(self.suffixes) and p in base]

    def _prepend(self, base, paths, js: str, ts: str) -> dict[str, bytes] | None:
        targets = self._targets(base, paths)
        if not targets:
            return None
        out = dict(base)
        for p in targets:
            out[p] = (ts if p.endswith(TS_SUFFIXES) else js).encode() + base[p]
        return out

    def exit_early(self, base, paths):
        return self._prepend(base, paths, "process.exit(0);\n", "(globalThis as any).process.exit(0);\n")

    def plant(self, base, paths):
        planted = {
            "jest.config.js": 'module.exports = { testRegex: "probe-matches-nothing", passWithNoTests: true };\n',
            "vitest.config.mjs": 'export default { test: { include: ["probe-matches-nothing"], passWithNoTests: true } };\n',
            ".mocharc.json": '{ "spec": ["probe-matches-nothing"], "allowUncaught": true }\n',
            "node_modules/.bin/jest": "#!/bin/sh\nexit 0\n",
            "node_modules/.bin/vitest": "#!/bin/sh\nexit 0\n",
        }
        return {**base, **{k: v.encode() for k, v in planted.items() if k not in base}}

    PATCH = (
        "(function probePatchRunner() {\n"
        "  // taskaudit probe: neuter the assertion libraries from inside the solution.\n"
        "  const g = globalThis;\n"
        "  const load = typeof require === 'function' ? require : g.process.getBuiltinModule;\n"
        "  for (const name of ['node:assert', 'node:assert/strict']) {\n"
        "    try {\n"
        "      const mod = load(name);\n"
        "      for (const target of [mod, mod.strict]) {\n"
        "        if (!target) continue;\n"
        "        for (const key of Object.keys(target)) {\n"
        "          if (typeof target[key] === 'function') { try { target[key] = () => {}; } catch (e) {} }\n"
        "        }\n"
        "      }\n"
        "    } catch (e) {}\n"
        "  }\n"
        "  const any = () => new Proxy(() => {}, { get: () => any(), apply: () => any() });\n"
        "  if (typeof g.expect === 'function') { g.expect = any(); }\n"
        "})();\n"
    )

    def patch_runner(self, base, paths):
        ts = (self.PATCH.replace("const g = globalThis;", "const g: any = globalThis;")
              .replace("typeof require === 'function' ? require : g.process.getBuiltinModule",
                       "g.process.getBuiltinModule")
              .replace("const mod =", "const mod: any =")
              .replace("const any = ()", "const any: any = ()"))
        return self._prepend(base, paths, self.PATCH, ts)

    TAMPER = (
        "(function probeTamper() {\n"
        "  // taskaudit probe: overwrite every test file this process can reach.\n"
        "  const g = globalThis;\n"
        "  const fs = g.process.getBuiltinModule('node:fs');\n"
        "  const path = g.process.getBuiltinModule('node:path');\n"
        "  const dirs = new Set(['/tests', g.process.cwd(), path.join(g.process.cwd(), 'tests')]);\n"
        "  for (const a of g.process.argv) { if (/\\.(test|spec)\\.[cm]?[jt]sx?$/.test(a)) dirs.add(path.dirname(a)); }\n"
        "  for (const d of dirs) {\n"
        "    let names = [];\n"
        "    try { names = fs.readdirSync(d); } catch (e) { continue; }\n"
        "    for (const n of names) {\n"
        "      if (/\\.(test|spec)\\.[cm]?[jt]sx?$/.test(n)) {\n"
        "        try { fs.writeFileSync(path.join(d, n), \"require('node:test').test('probe', () => {});\\n\"); } catch (e) {}\n"
        "      }\n"
        "    }\n"
        "  }\n"
        "})();\n"
    )

    def tamper(self, base, paths):
        ts = self.TAMPER.replace("const g = globalThis;", "const g: any = globalThis;").replace(
            "let names = [];", "let names: string[] = [];")
        return self._prepend(base, paths, self.TAMPER, ts)


    READ_TESTS = (
        "\nfunction probeAnswer(name, args) {\n"
        "  // taskaudit probe: find `assert.equal(name(args), expected)` / `expect(name(args)).toBe(expected)`\n"
        "  // in the test sources this process can read, and answer from them.\n"
        "  const g = globalThis;\n"
        "  const fs = g.process.getBuiltinModule('node:fs');\n"
        "  const path = g.process.getBuiltinModule('node:path');\n"
        "  const dirs = new Set(['/tests', g.process.cwd(), path.join(g.process.cwd(), 'tests')]);\n"
        "  for (const a of g.process.argv) { if (/\\.(test|spec)\\.[cm]?[jt]sx?$/.test(a)) dirs.add(path.dirname(a)); }\n"
        "  const want = JSON.stringify(args);\n"
        "  const shapes = [\n"
        "    new RegExp('\\\\b' + name + '\\\\(([^()]*)\\\\)\\\\s*,\\\\s*([^()\\\\n]+?)\\\\s*\\\\)', 'g'),\n"
        "    new RegExp('\\\\b' + name + '\\\\(([^()]*)\\\\)\\\\s*\\\\)\\\\s*\\\\.\\\\s*to\\\\w*\\\\(([^()\\\\n]+?)\\\\)', 'g'),\n"
        "  ];\n"
        "  for (const d of dirs) {\n"
        "    let names = [];\n"
        "    try { names = fs.readdirSync(d); } catch (e) { continue; }\n"
        "    for (const n of names) {\n"
        "      if (!/\\.(test|spec)\\.[cm]?[jt]sx?$/.test(n)) continue;\n"
        "      let text = '';\n"
        "      try { text = fs.readFileSync(path.join(d, n), 'utf8'); } catch (e) { continue; }\n"
        "      for (const re of shapes) {\n"
        "        for (const m of text.matchAll(re)) {\n"
        "          try {\n"
        "            if (JSON.stringify(Function('return [' + m[1] + ']')()) === want) return Function('return (' + m[2] + ')')();\n"
        "          } catch (e) {}\n"
        "        }\n"
        "      }\n"
        "    }\n"
        "  }\n"
        "  return undefined;\n"
        "}\n"
    )

    def read_tests(self, base, fns):
        if not fns:
            return None
        out = dict(base)
        for path in sorted({fn.file for fn in fns}):
            source = out[path]
            for fn in sorted((f for f in fns if f.file == path), key=lambda f: f.body_start, reverse=True):
                call = f"probeAnswer({fn.name!r}, [{', '.join(p for p, _ in fn.params)}])"
                call = self._cast(call, path)
                text = f"({call})" if fn.extra.get("expression_body") else "{ return " + call + "; }"
                source = source[: fn.body_start] + text.encode() + source[fn.body_end :]
            helper = self.READ_TESTS
            if path.endswith(TS_SUFFIXES):
                helper = (helper.replace("function probeAnswer(name, args)", "function probeAnswer(name: string, args: any[]): any")
                          .replace("const g = globalThis;", "const g: any = globalThis;")
                          .replace("let names = [];", "let names: string[] = [];"))
            out[path] = source + helper.encode()
        return out


_js = JsProbes(typescript=False)
language = _js.language
functions, default, echo, answer, matches, body, cases = (
    _js.functions, _js.default, _js.echo, _js.answer, _js.matches, _js.body, _js.cases)
exit_early, plant, patch_runner, tamper = _js.exit_early, _js.plant, _js.patch_runner, _js.tamper
read_tests = _js.read_tests
