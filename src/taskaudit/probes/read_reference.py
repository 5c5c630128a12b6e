"""The read-reference probe: a wrong solution that behaves like the reference only when it can
find the reference's own sources from its process at run time.

Every function of the solution starts with a guard: "is a file with the reference's content
reachable?" If not, it returns its type's default value (the stub); if so, it runs the
reference's body, which is what a solution that loads the reachable reference (imports it, or
answers from it) would do. So the probe passes exactly when the reference is reachable and the
tests pass on it: ``/solution`` or ``../solution`` mounted for the run, a copy of the reference in
the tests directory (a differential-testing oracle the solution can import), or one left in the
workspace under another name.

The search runs inside the sandbox, bounded: the candidate roots below, at most ``MAX_DEPTH``
levels and ``MAX_FILES`` files, files of at most 1 MiB, compared by SHA-256 (Rust: by content,
std has no hash) with the reference's solution files that the probe itself rewrites (their
workspace copies hold the probe, not the reference, so a match is never the probe's own file).
Only a file of the same size as one of them is read.
"""

from __future__ import annotations

import hashlib
import json
from types import ModuleType

from taskaudit.probes.model import Function

# Relative roots are taken from the test process's working directory (usually /app).
# (Never "/" or "..": /proc, /sys and /dev hold endless files.)
ROOTS = ("/solution", "/oracle", "/tests", "/app", ".", "../solution", "../oracle", "solution")
MAX_DEPTH = 5
MAX_FILES = 5000

_PY = '''

def _probe_reference_reachable(_seen=[]):
    """taskaudit probe: is a file with the reference's content reachable from this process?"""
    if _seen:
        return _seen[0]
    import hashlib, os
    wanted, sizes, found, count = set(@DIGESTS@), set(@SIZES@), False, 0
    for root in @ROOTS@:
        base = root.rstrip("/").count("/")
        for dirpath, dirnames, filenames in os.walk(root):
            if dirpath.count("/") - base >= @DEPTH@:
                dirnames[:] = []
            for name in filenames:
                count += 1
                if count > @FILES@:
                    break
                try:
                    path = os.path.join(dirpath, name)
                    if os.path.isfile(path) and os.path.getsize(path) in sizes:
                        with open(path, "rb") as f:
                            if hashlib.sha256(f.read()).hexdigest() in wanted:
                                found = True
                except OSError:
                    pass
            if found or count > @FILES@:
                break
        if found:
            break
    _seen.append(found)
    return found
'''

_JS = '''
function probeReferenceReachable() {
  // taskaudit probe: is a file with the reference's content reachable from this process?
  const g = globalThis;
  if (g.__probeReachable !== undefined) return g.__probeReachable;
  const fs = g.process.getBuiltinModule('node:fs');
  const path = g.process.getBuiltinModule('node:path');
  const crypto = g.process.getBuiltinModule('node:crypto');
  const wanted = new Set(@DIGESTS@), sizes = new Set(@SIZES@);
  let count = 0, found = false;
  const walk = (dir, depth) => {
    if (found || depth > @DEPTH@ || count > @FILES@) return;
    let entries = [];
    try { entries = fs.readdirSync(dir, { withFileTypes: true }); } catch (e) { return; }
    for (const e of entries) {
      if (found || count > @FILES@) return;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) { walk(p, depth + 1); continue; }
      if (!e.isFile()) continue;
      count += 1;
      try {
        if (sizes.has(fs.statSync(p).size) && wanted.has(crypto.createHash('sha256').update(fs.readFileSync(p)).digest('hex'))) found = true;
      } catch (e) {}
    }
  };
  for (const root of @ROOTS@) walk(root, 0);
  g.__probeReachable = found;
  return found;
}
'''

_GO = '''package @PKG@

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

var probeReachable *bool

// taskaudit probe: is a file with the reference's content reachable from this process?
func probeReferenceReachable() bool {
	if probeReachable != nil {
		return *probeReachable
	}
	wanted, sizes := map[string]bool{}, map[int64]bool{}
	for _, d := range []string{@DIGESTS@} {
		wanted[d] = true
	}
	for _, n := range []int64{@SIZES@} {
		sizes[n] = true
	}
	found, count := false, 0
	for _, root := range []string{@ROOTS@} {
		base := strings.Count(filepath.Clean(root), "/")
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || found || count > @FILES@ {
				return filepath.SkipDir
			}
			if d.IsDir() {
				if strings.Count(filepath.Clean(p), "/")-base > @DEPTH@ {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			count++
			if info, e := d.Info(); e == nil && sizes[info.Size()] {
				if data, e := os.ReadFile(p); e == nil {
					sum := sha256.Sum256(data)
					if wanted[hex.EncodeToString(sum[:])] {
						found = true
					}
				}
			}
			return nil
		})
	}
	probeReachable = &found
	return found
}
'''

_RUST = '''
// taskaudit probe: is a file with the reference's content reachable from this process?
#[allow(dead_code)]
fn probe_reference_reachable() -> bool {
    const WANTED: &[&[u8]] = &[@CONTENTS@];
    fn walk(dir: &std::path::Path, depth: usize, count: &mut usize) -> bool {
        if depth > @DEPTH@ || *count > @FILES@ { return false; }
        let entries = match std::fs::read_dir(dir) { Ok(e) => e, Err(_) => return false };
        for e in entries.flatten() {
            let p = e.path();
            let ft = match e.file_type() { Ok(t) => t, Err(_) => continue };
            if ft.is_dir() { if walk(&p, depth + 1, count) { return true; } continue; }
            if !ft.is_file() { continue; }
            *count += 1;
            if *count > @FILES@ { return false; }
            let len = e.metadata().map(|m| m.len() as usize).unwrap_or(usize::MAX);
            if !WANTED.iter().any(|w| w.len() == len) { continue; }
            if let Ok(data) = std::fs::read(&p) {
                if WANTED.iter().any(|w| *w == data.as_slice()) { return true; }
            }
        }
        false
    }
    let mut count = 0usize;
    [@ROOTS@].iter().any(|r| walk(std::path::Path::new(r), 0, &mut count))
}
'''

_JAVA = '''
    // taskaudit probe: is a file with the reference's content reachable from this process?
    static Boolean probeReachable = null;

    static boolean probeReferenceReachable() {
        if (probeReachable != null) return probeReachable;
        java.util.Set<String> wanted = java.util.Set.of(@DIGESTS@);
        boolean found = false;
        int count = 0;
        for (String root : new String[] {@ROOTS@}) {
            java.util.List<java.nio.file.Path> files;
            try (var walk = java.nio.file.Files.walk(java.nio.file.Path.of(root), @DEPTH@)) {
                files = walk.filter(java.nio.file.Files::isRegularFile).limit(@FILES@).toList();
            } catch (Exception e) { continue; }
            for (java.nio.file.Path f : files) {
                if (++count > @FILES@) break;
                try {
                    if (!java.util.Set.of(@SIZES@).contains(java.nio.file.Files.size(f))) continue;
                    byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(f));
                    StringBuilder hex = new StringBuilder();
                    for (byte b : d) hex.append(String.format("%02x", b));
                    if (wanted.contains(hex.toString())) { found = true; break; }
                } catch (Exception e) { }
            }
            if (found) break;
        }
        probeReachable = found;
        return found;
    }
'''


def _fill(template: str, digests: str, roots: str, sizes: str, **extra: str) -> str:
    """The helper's source with the language's literals for digests, roots and sizes."""
    text = (template.replace("@DIGESTS@", digests).replace("@ROOTS@", roots)
            .replace("@SIZES@", sizes).replace("@DEPTH@", str(MAX_DEPTH))
            .replace("@FILES@", str(MAX_FILES)))
    for key, value in extra.items():
        text = text.replace(f"@{key.upper()}@", value)
    return text


def _rust_bytes(data: bytes) -> str:
    return 'b"' + "".join(
        chr(c) if 32 <= c < 127 and c not in (34, 92) else f"\\x{c:02x}" for c in data
    ) + '"'


def read_reference(task_language: str, lang: ModuleType, reference: dict[str, bytes],
                   solution_paths: list[str]) -> tuple[dict[str, bytes] | None, str]:
    """The probe's workspace, or None and why it could not be built."""
    fns = lang.functions(reference, solution_paths)
    if not fns:
        return None, "no functions found in the solution's sources"
    files = sorted({fn.file for fn in fns})
    digests = sorted({hashlib.sha256(reference[f]).hexdigest() for f in files})
    sizes = sorted({len(reference[f]) for f in files})
    listed = ", ".join(json.dumps(d) for d in digests)  # "a", "b": every language's string list
    roots = ", ".join(json.dumps(r) for r in ROOTS)
    counts = ", ".join(str(n) for n in sizes)
    out = dict(reference)
    if task_language == "python":
        guard = ("\n\ndef _probe_guard(f):\n    import functools\n\n    @functools.wraps(f)\n"
                 "    def probe(*args, **kwargs):\n"
                 "        return f(*args, **kwargs) if _probe_reference_reachable() else None\n\n"
                 "    return probe\n\n")
        for path in files:
            mine = [fn for fn in fns if fn.file == path]
            wraps = "".join(f"{fn.name} = _probe_guard({fn.name})\n" for fn in mine if not fn.extra.get("method"))
            source = _insert_python_method_guards(out[path], [fn for fn in mine if fn.extra.get("method")])
            out[path] = source + (_fill(_PY, f"[{listed}]", f"[{roots}]", f"[{counts}]") + guard + wraps).encode()
        return out, ""
    if task_language in ("javascript", "typescript"):
        ts = task_language == "typescript"
        bodies = {}
        for i, fn in enumerate(fns):
            default = lang.default(fn)
            original = reference[fn.file][fn.body_start:fn.body_end].decode()
            if fn.extra.get("expression_body"):
                bodies[i] = (fn, f"(probeReferenceReachable() ? {original} : {default})")
            else:
                bodies[i] = (fn, "{ if (!probeReferenceReachable()) return " + default + ";" + original[1:])
        from taskaudit.probes.generate import replace_bodies

        out = replace_bodies(out, bodies)
        helper = _fill(_JS, f"[{listed}]", f"[{roots}]", f"[{counts}]")
        if ts:
            helper = (helper.replace("function probeReferenceReachable() {", "function probeReferenceReachable(): boolean {")
                      .replace("const g = globalThis;", "const g: any = globalThis;")
                      .replace("let entries = [];", "let entries: any[] = [];")
                      .replace("const walk = (dir, depth) =>", "const walk = (dir: string, depth: number): void =>"))
        for path in files:
            out[path] = out[path] + helper.encode()
        return out, ""
    if task_language == "go":
        from taskaudit.probes.go import _join, _package

        found = _package(reference, files)
        if found is None:
            return None, "no Go package clause in the solution's sources"
        directory, pkg = found
        out = _guard_bodies(out, fns, lambda fn: (
            "if !probeReferenceReachable() { return " + lang.default(fn) + " }"
            if fn.extra["results"] else "if !probeReferenceReachable() { return }"))
        out[_join(directory, "zz_probe_read_reference.go")] = _fill(
            _GO, listed, roots, counts, pkg=pkg).encode()
        return out, ""
    if task_language == "rust":
        out = _guard_bodies(out, fns, lambda fn: (
            f"if !probe_reference_reachable() {{ return {lang.default(fn)}; }}"))
        helper = _fill(_RUST, listed, roots, counts,
                       contents=", ".join(_rust_bytes(reference[f]) for f in files))
        for path in files:
            out[path] = out[path] + helper.encode()
        return out, ""
    if task_language == "java":
        from taskaudit.probes import syntax

        def guard(fn: Function) -> str:
            value = lang.default(fn)
            return f"if (!probeReferenceReachable()) return{' ' + value if value else ''};"

        anchors = {}
        for path in files:
            root = syntax.parse("java", reference[path])
            cls = next((n.child_by_field_name("body") for n in root.named_children
                        if n.type == "class_declaration"), None)
            if cls is not None:
                anchors[path] = cls.end_byte - 1
        if not anchors:
            return None, "no top-level class in the solution's sources"
        helper = _fill(_JAVA, listed, roots, ", ".join(f"{n}L" for n in sizes))
        for path, at in anchors.items():  # after every body: the body offsets still hold
            out[path] = out[path][:at] + helper.encode() + out[path][at:]
        return _guard_bodies(out, [fn for fn in fns if fn.file in anchors], guard), ""
    return None, f"not implemented for {task_language}"


def _guard_bodies(files: dict[str, bytes], fns: list[Function], guard) -> dict[str, bytes]:
    """Insert ``guard(fn)`` just inside each function's opening brace (later bodies first)."""
    out = dict(files)
    for path in sorted({fn.file for fn in fns}):
        source = out[path]
        for fn in sorted((f for f in fns if f.file == path), key=lambda f: f.body_start, reverse=True):
            at = fn.body_start + 1
            source = source[:at] + f"\n    {guard(fn)}\n".encode() + source[at:]
        out[path] = source
    return out


def _insert_python_method_guards(source: bytes, methods: list[Function]) -> bytes:
    """Methods: a first statement that returns None unless the reference is reachable. A body
    written on the ``def`` line itself (``def f(self): return x``) moves to its own line."""
    for fn in sorted(methods, key=lambda f: f.body_start, reverse=True):
        line_start = source.rfind(b"\n", 0, fn.body_start) + 1
        before = source[line_start:fn.body_start]
        if before.strip():  # one-liner: indent the body one level past the def
            indent = before[: len(before) - len(before.lstrip())] + b"    "
            source = (source[:fn.body_start] + b"\n" + indent + b"if not _probe_reference_reachable():\n"
                      + indent + b"    return None\n" + indent + source[fn.body_start:])
            continue
        source = (source[:fn.body_start] + b"if not _probe_reference_reachable():\n" + before
                  + b"    return None\n" + before + source[fn.body_start:])
    return source
