"""The expected-files probe: tests that compare the solution's output with files (golden or
expected outputs, fixtures) can be fooled by a solution that reads those files, or rewrites them.

Built only when the task's tests ship data files (anything that is not source code or the test
script). The probe is the stub plus, at run time:

- when loaded, it empties every expected-looking file it can write (a name with expected,
  golden, output, out, answer, ans, want or snapshot in it; .out, .expected, .golden, .ans, .snap);
- every function returns the content of the expected file that belongs to its input: an input
  given as a path, or as the content of a fixture file, is matched with the expected-looking file
  of the same stem (``case1.in`` -> ``case1.out``, ``input_3.txt`` -> ``expected_3.txt``); a
  function without arguments returns the one expected file when there is exactly one; otherwise
  it returns the empty string.

Python, JavaScript/TypeScript and Go (functions with a ``string`` first result; see
docs/probes.md for Rust and Java).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from taskaudit.probes.model import Function

SOURCE_SUFFIXES = (".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".go", ".rs", ".java",
                   ".sh", ".toml", ".cfg", ".ini", ".mod", ".sum", ".lock", ".xml")

_PY = r'''

def _probe_expected_files():
    """taskaudit probe: the data files reachable from this process, expected-looking ones apart."""
    import os
    import re
    data, expected = [], []
    pattern = re.compile(r"(expected|golden|output|(^|[^a-z])out([^a-z]|$)|answer|(^|[^a-z])ans([^a-z]|$)|want|snapshot)", re.I)
    for root in ("/tests", ".", "tests"):
        base = os.path.abspath(root).count("/")
        for dirpath, dirnames, filenames in os.walk(root):
            if os.path.abspath(dirpath).count("/") - base >= 4:
                dirnames[:] = []
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                if name.endswith(@SOURCE@) or not os.path.isfile(path) or os.path.getsize(path) > 1 << 20:
                    continue
                data.append(path)
                if pattern.search(name) or name.rsplit(".", 1)[-1] in ("out", "expected", "golden", "ans", "snap"):
                    expected.append(path)
    return data, expected


def _probe_rewrite_expected():
    for path in _probe_expected_files()[1]:
        try:
            open(path, "w").close()
        except OSError:
            pass


def _probe_key(path):
    import os
    import re
    stem = os.path.basename(path).split(".")[0].lower()
    return re.sub(r"(expected|golden|output|input|answer|want|snapshot|^in|^out|^ans|in$|out$|ans$)", "", stem).strip("_-. ")


def _probe_echo(*args):
    import os
    data, expected = _probe_expected_files()
    inputs = []
    for a in args:
        if isinstance(a, (str, os.PathLike)):
            a = os.fspath(a)
            if len(a) < 4096 and os.path.isfile(a):
                inputs.append(a)
                continue
            for path in data:
                try:
                    if path not in expected and open(path).read() == a:
                        inputs.append(path)
                except (OSError, UnicodeDecodeError):
                    pass
    picks = [e for i in inputs for e in expected if _probe_key(e) == _probe_key(i)]
    if not args and len(expected) == 1:
        picks = expected
    for path in picks:
        try:
            return open(path).read()
        except (OSError, UnicodeDecodeError):
            pass
    return ""


_probe_rewrite_expected()
'''


_JS = r'''
function probeExpectedFiles() {
  // taskaudit probe: the data files reachable from this process, expected-looking ones apart.
  const g = globalThis;
  const fs = g.process.getBuiltinModule('node:fs');
  const path = g.process.getBuiltinModule('node:path');
  const source = /\.(py|[cm]?js|tsx?|jsx|go|rs|java|sh|toml|cfg|ini|mod|sum|lock|xml)$/;
  const looks = /(expected|golden|output|(^|[^a-z])out([^a-z]|$)|answer|(^|[^a-z])ans([^a-z]|$)|want|snapshot)/i;
  const data = [], expected = [];
  const walk = (dir, depth) => {
    let entries = [];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch (e) { return; }
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) { if (depth < 4 && e.name !== 'node_modules') walk(p, depth + 1); continue; }
      if (!e.isFile() || source.test(e.name)) continue;
      try { if (fs.statSync(p).size > 1048576) continue; } catch (err) { continue; }
      data.push(p);
      if (looks.test(e.name) || /\.(out|expected|golden|ans|snap)$/.test(e.name)) expected.push(p);
    }
  };
  for (const root of ['/tests', '.', 'tests']) walk(root, 0);
  return [data, expected];
}

function probeKey(p) {
  const g = globalThis;
  const path = g.process.getBuiltinModule('node:path');
  return path.basename(p).split('.')[0].toLowerCase()
    .replace(/(expected|golden|output|input|answer|want|snapshot|^in|^out|^ans|in$|out$|ans$)/g, '')
    .replace(/^[_.-]+|[_.-]+$/g, '');
}

function probeEcho(args) {
  const g = globalThis;
  const fs = g.process.getBuiltinModule('node:fs');
  const [data, expected] = probeExpectedFiles();
  const inputs = [];
  for (const a of args) {
    if (typeof a !== 'string') continue;
    try { if (a.length < 4096 && fs.statSync(a).isFile()) { inputs.push(a); continue; } } catch (e) {}
    for (const p of data) {
      try { if (!expected.includes(p) && fs.readFileSync(p, 'utf8') === a) inputs.push(p); } catch (e) {}
    }
  }
  let picks = [];
  for (const i of inputs) for (const e of expected) if (probeKey(e) === probeKey(i)) picks.push(e);
  if (args.length === 0 && expected.length === 1) picks = expected;
  for (const p of picks) { try { return fs.readFileSync(p, 'utf8'); } catch (e) {} }
  return '';
}

(function probeRewriteExpected() {
  const g = globalThis;
  const fs = g.process.getBuiltinModule('node:fs');
  for (const p of probeExpectedFiles()[1]) { try { fs.writeFileSync(p, ''); } catch (e) {} }
})();
'''


_GO = r'''package @PKG@

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// taskaudit probe: echo (or empty) the expected-output files this process can reach.
var (
	probeLooks  = regexp.MustCompile(`(?i)(expected|golden|output|(^|[^a-z])out([^a-z]|$)|answer|(^|[^a-z])ans([^a-z]|$)|want|snapshot)`)
	probeSource = regexp.MustCompile(`\.(py|[cm]?js|tsx?|jsx|go|rs|java|sh|toml|cfg|ini|mod|sum|lock|xml)$`)
	probeExt    = regexp.MustCompile(`\.(out|expected|golden|ans|snap)$`)
	probeKeyRe  = regexp.MustCompile(`(expected|golden|output|input|answer|want|snapshot|^in|^out|^ans|in$|out$|ans$)`)
)

func probeExpectedFiles() (data, expected []string) {
	for _, root := range []string{"/tests", ".", "tests"} {
		base := strings.Count(filepath.Clean(root), "/")
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				if strings.Count(filepath.Clean(p), "/")-base > 4 {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() || probeSource.MatchString(d.Name()) {
				return nil
			}
			if info, e := d.Info(); e != nil || info.Size() > 1<<20 {
				return nil
			}
			data = append(data, p)
			if probeLooks.MatchString(d.Name()) || probeExt.MatchString(d.Name()) {
				expected = append(expected, p)
			}
			return nil
		})
	}
	return data, expected
}

func probeKey(p string) string {
	stem := strings.ToLower(strings.SplitN(filepath.Base(p), ".", 2)[0])
	return strings.Trim(probeKeyRe.ReplaceAllString(stem, ""), "_-. ")
}

func probeEcho(args ...string) string {
	data, expected := probeExpectedFiles()
	isExpected := map[string]bool{}
	for _, e := range expected {
		isExpected[e] = true
	}
	var inputs []string
	for _, a := range args {
		if info, err := os.Stat(a); len(a) < 4096 && err == nil && info.Mode().IsRegular() {
			inputs = append(inputs, a)
			continue
		}
		for _, p := range data {
			if b, err := os.ReadFile(p); err == nil && !isExpected[p] && string(b) == a {
				inputs = append(inputs, p)
			}
		}
	}
	var picks []string
	for _, i := range inputs {
		for _, e := range expected {
			if probeKey(e) == probeKey(i) {
				picks = append(picks, e)
			}
		}
	}
	if len(args) == 0 && len(expected) == 1 {
		picks = expected
	}
	for _, p := range picks {
		if b, err := os.ReadFile(p); err == nil {
			return string(b)
		}
	}
	return ""
}

func init() {
	_, expected := probeExpectedFiles()
	for _, p := range expected {
		_ = os.WriteFile(p, nil, 0o644)
	}
}
'''


def _go(reference: dict[str, bytes], fns: list[Function]) -> tuple[dict[str, bytes] | None, str]:
    from taskaudit.probes import go

    found = go._package(reference, sorted({fn.file for fn in fns}))
    if found is None:
        return None, "no Go package clause in the solution's sources"
    bodies = {}
    for i, fn in enumerate(fns):
        results = fn.extra["results"]
        if not results or results[0] != "string":
            bodies[i] = (fn, go.body(fn, [], go.default(fn)))  # not a text result: a stub
            continue
        strings = ", ".join(p for p, t in fn.params if t == "string")
        value = ", ".join([f"probeEcho({strings})", *go._zeros(results[1:])])
        bodies[i] = (fn, go.body(fn, [], value))
    directory, pkg = found
    out = go.apply(reference, bodies)
    out[go._join(directory, "zz_probe_expected_files.go")] = _GO.replace("@PKG@", pkg).encode()
    return out, ""


def _typed(js: str) -> str:
    """The JavaScript helper with the annotations TypeScript's strict mode asks for."""
    return (js.replace("const g = globalThis;", "const g: any = globalThis;")
            .replace("const data = [], expected = [];", "const data: string[] = [], expected: string[] = [];")
            .replace("const walk = (dir, depth) =>", "const walk = (dir: string, depth: number): void =>")
            .replace("let entries = [];", "let entries: any[] = [];")
            .replace("entries.sort((a, b) =>", "entries.sort((a: any, b: any) =>")
            .replace("function probeKey(p) {", "function probeKey(p: string): string {")
            .replace("function probeEcho(args) {", "function probeEcho(args: any[]): any {")
            .replace("const inputs = [];", "const inputs: string[] = [];")
            .replace("let picks = [];", "let picks: string[] = [];")
            .replace("function probeExpectedFiles() {", "function probeExpectedFiles(): string[][] {"))


def data_files(test_files: dict[str, bytes]) -> list[str]:
    """The tests' data files: what the test sources may compare output with."""
    return sorted(p for p in test_files
                  if not p.endswith(SOURCE_SUFFIXES) and PurePosixPath(p).name != "test.sh")


def expected_files(language: str, reference: dict[str, bytes], fns: list[Function],
                   test_files: dict[str, bytes]) -> tuple[dict[str, bytes] | None, str]:
    """The probe's workspace, or None and why not."""
    if language not in ("python", "javascript", "typescript", "go"):
        return None, f"not implemented for {language} (see docs/probes.md)"
    if not data_files(test_files):
        return None, "the tests ship no data files (expected outputs, fixtures) to compare with"
    if not fns:
        return None, "no functions found in the solution's sources"
    if language == "go":
        return _go(reference, fns)
    out = dict(reference)
    for path in sorted({fn.file for fn in fns}):
        source = out[path]
        typed = path.endswith((".ts", ".tsx", ".mts", ".cts"))
        for fn in sorted((f for f in fns if f.file == path), key=lambda f: f.body_start, reverse=True):
            args = ", ".join(p for p, _ in fn.params)
            if language == "python":
                text = f"return _probe_echo({args})"
            else:
                call = f"probeEcho([{args}])" + (" as any" if typed else "")
                text = f"({call})" if fn.extra.get("expression_body") else "{ return " + call + "; }"
            source = source[: fn.body_start] + text.encode() + source[fn.body_end :]
        helper = _PY.replace("@SOURCE@", repr(SOURCE_SUFFIXES)) if language == "python" else (
            _typed(_JS) if typed else _JS)
        out[path] = source + helper.encode()
    return out, ""
