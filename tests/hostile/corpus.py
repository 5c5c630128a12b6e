"""The hostile-solution corpus: one small Harbor task per (language, behaviour), built on disk.

Every task asks for ``probe()`` and its single test asserts ``probe() == "escaped"``. The
hostile "reference solution" does something a sandbox must contain and returns "escaped" only
when that worked (a limit not enforced, a host file read, a connection made). So a contained
behaviour always fails its test (or is killed), and the audit must never ACCEPT one of these
tasks. What a solution cannot see from inside (a file written on the host, a process that
outlives the run) is checked from outside by the test (``test_hostile.py``).

Process-level behaviours (fork bomb, daemon, killing the parent, raising limits, disk fill,
symlink escape) are run through ``/bin/sh`` started from the language's own process API; the
others use the language's own I/O, memory and network calls.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

BEHAVIOURS = (
    "infinite_loop", "fork_bomb", "memory_bomb", "output_flood", "disk_fill", "network_connect",
    "read_host_files", "write_outside", "daemon", "kill_parent", "raise_limits", "symlink_escape",
)
LANGUAGES = ("python", "javascript", "go", "rust", "java")


@dataclass(frozen=True)
class Hostile:
    secret_path: str  # a host file outside every mount, holding ``secret``
    secret: str
    checkout_file: str  # a file of taskaudit's checkout that is not mounted (.git/HEAD)
    outside_markers: tuple[str, ...]  # host paths a write must not reach
    mark: str  # unique sleep duration: finds leaked processes by their command line


SHELL = {
    # Bounded (never an unbounded bomb on a shared machine): 3000 sleepers, then count them.
    "fork_bomb": 'i=0; while [ $i -lt 3000 ]; do sleep @MARK@ 2>/dev/null & i=$((i+1)); done; '
                 'n=$(ls /proc | grep -c "^[0-9]"); [ "$n" -ge 3000 ] && echo escaped || echo contained',
    "daemon": 'setsid sh -c "sleep @MARK@" </dev/null >/dev/null 2>&1 & '
              '(nohup sleep @MARK@ </dev/null >/dev/null 2>&1 &); echo spawned',
    "kill_parent": "kill -9 $PPID; kill -9 -1; echo contained",
    "raise_limits": 'for f in /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids/pids.max '
                    '/sys/fs/cgroup/memory/memory.limit_in_bytes; do if (echo max > $f) 2>/dev/null; then '
                    'echo escaped; exit; fi; done; lim=$(ulimit -H -f); if [ "$lim" != unlimited ] && '
                    '(ulimit -H -f unlimited) 2>/dev/null; then echo escaped; exit; fi; echo contained',
    # One file past the per-file cap (RLIMIT_FSIZE; 128 MiB in the corpus' limits).
    "disk_fill": "dd if=/dev/zero of=/app/fill bs=1M count=192 2>/dev/null; size=$(wc -c < /app/fill); "
                 "rm -f /app/fill; [ \"$size\" -ge 201326592 ] && echo escaped || echo contained",
    "symlink_escape": "ln -s @SECRET_PATH@ /app/leak 2>/dev/null; for p in /app/leak /proc/1/root@SECRET_PATH@ "
                      '/proc/self/root@SECRET_PATH@; do if grep -q @SECRET@ "$p" 2>/dev/null; then echo escaped; '
                      "exit; fi; done; echo contained",
}

# ----------------------------------------------------------------------------- python

PY_NATIVE = {
    "infinite_loop": "    while True:\n        pass\n",
    "memory_bomb": "    hold = []\n    try:\n        for _ in range(40):\n"
                   "            hold.append(bytearray(b'\\x01') * (64 << 20))\n"
                   "    except MemoryError:\n        return 'contained'\n    return 'escaped'\n",
    "output_flood": "    chunk = b'x' * (1 << 20)\n    try:\n        for _ in range(200):\n"
                    "            os.write(1, chunk)\n            os.write(2, chunk)\n"
                    "    except OSError:\n        return 'contained'\n    return 'escaped'\n",
    "network_connect": "    for host in ('1.1.1.1', '8.8.8.8'):\n        try:\n"
                       "            socket.create_connection((host, 53), timeout=3).close()\n"
                       "            return 'escaped'\n        except OSError:\n            pass\n"
                       "    try:\n        socket.getaddrinfo('example.com', 80)\n        return 'escaped'\n"
                       "    except OSError:\n        return 'contained'\n",
    "read_host_files": "    for path in (@SECRET_PATH@, @CHECKOUT_FILE@):\n        try:\n"
                       "            open(path).read()\n            return 'escaped'\n"
                       "        except OSError:\n            pass\n    return 'contained'\n",
    "write_outside": "    for path in @MARKERS@:\n        try:\n"
                     "            os.makedirs(os.path.dirname(path), exist_ok=True)\n"
                     "            open(path, 'w').write('x')\n        except OSError:\n            pass\n"
                     "    return 'tried'\n",
}


def python_task(body: str) -> dict[str, str]:
    solution = ("import os\nimport socket\nimport subprocess\n\n\n"
                "def sh(cmd):\n    return subprocess.run(['/bin/sh', '-c', cmd], capture_output=True, "
                "text=True).stdout.strip()\n\n\ndef probe():\n" + body)
    return {
        "environment/app/hostile.py": "def probe():\n    raise NotImplementedError\n",
        "solution/app/hostile.py": solution,
        "tests/test_hostile.py": "from hostile import probe\n\n\ndef test_probe():\n"
                                 "    assert probe() == 'escaped'\n",
    }


# ----------------------------------------------------------------------------- javascript

JS_NATIVE = {
    "infinite_loop": "  for (;;) {}\n",
    "memory_bomb": "  const hold = [];\n  try {\n    for (let i = 0; i < 40; i++) hold.push(Buffer.alloc(64 << 20, 1));\n"
                   "  } catch (e) {\n    return 'contained';\n  }\n  return 'escaped';\n",
    "output_flood": "  const chunk = Buffer.alloc(1 << 20, 120);\n  try {\n    for (let i = 0; i < 200; i++) {\n"
                    "      fs.writeSync(1, chunk);\n      fs.writeSync(2, chunk);\n    }\n  } catch (e) {\n"
                    "    return 'contained';\n  }\n  return 'escaped';\n",
    "network_connect": "  const script = \"const n=require('net');let left=2;const done=(r)=>{if(r==='escaped'){console.log(r);process.exit(0)}"
                       "if(--left===0){require('dns').lookup('example.com',(e)=>{console.log(e?'contained':'escaped');process.exit(0)})}};"
                       "for(const h of ['1.1.1.1','8.8.8.8']){const s=n.connect({host:h,port:53});s.setTimeout(3000);"
                       "s.on('connect',()=>done('escaped'));s.on('error',()=>done('no'));s.on('timeout',()=>{s.destroy();done('no')})}\";\n"
                       "  return cp.execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }).trim();\n",
    "read_host_files": "  for (const p of [@SECRET_PATH@, @CHECKOUT_FILE@]) {\n    try {\n      fs.readFileSync(p);\n"
                       "      return 'escaped';\n    } catch (e) {}\n  }\n  return 'contained';\n",
    "write_outside": "  for (const p of @MARKERS@) {\n    try {\n      fs.mkdirSync(path.dirname(p), { recursive: true });\n"
                     "      fs.writeFileSync(p, 'x');\n    } catch (e) {}\n  }\n  return 'tried';\n",
}


def javascript_task(body: str) -> dict[str, str]:
    solution = ("const cp = require('child_process');\nconst fs = require('fs');\nconst path = require('path');\n\n"
                "function sh(cmd) {\n  try {\n    return cp.execFileSync('/bin/sh', ['-c', cmd], { encoding: 'utf8', "
                "stdio: ['ignore', 'pipe', 'ignore'] }).trim();\n  } catch (e) {\n    return 'contained';\n  }\n}\n\n"
                "function probe() {\n" + body + "}\n\nmodule.exports = { probe, sh };\n")
    return {
        "environment/app/hostile.js": "function probe() {\n  throw new Error('not implemented');\n}\n\nmodule.exports = { probe };\n",
        "solution/app/hostile.js": solution,
        "tests/hostile.test.js": "const { test } = require('node:test');\nconst assert = require('node:assert/strict');\n"
                                 "const { probe } = require('../app/hostile.js');\n\n"
                                 "test('probe', () => {\n  assert.equal(probe(), 'escaped');\n});\n",
    }


# ----------------------------------------------------------------------------- go

GO_NATIVE = {
    "infinite_loop": "\tfor {\n\t}\n",
    "memory_bomb": "\thold := [][]byte{}\n\tfor i := 0; i < 40; i++ {\n\t\tb := make([]byte, 64<<20)\n"
                   "\t\tfor j := range b {\n\t\t\tb[j] = 1\n\t\t}\n\t\thold = append(hold, b)\n\t}\n"
                   "\t_ = hold\n\treturn \"escaped\"\n",
    "output_flood": "\tchunk := bytes.Repeat([]byte(\"x\"), 1<<20)\n\tfor i := 0; i < 200; i++ {\n"
                    "\t\tif _, err := os.Stdout.Write(chunk); err != nil {\n\t\t\treturn \"contained\"\n\t\t}\n"
                    "\t\tos.Stderr.Write(chunk)\n\t}\n\treturn \"escaped\"\n",
    "network_connect": "\tfor _, h := range []string{\"1.1.1.1:53\", \"8.8.8.8:53\"} {\n"
                       "\t\tif c, err := net.DialTimeout(\"tcp\", h, 3*time.Second); err == nil {\n\t\t\tc.Close()\n"
                       "\t\t\treturn \"escaped\"\n\t\t}\n\t}\n\tif _, err := net.LookupHost(\"example.com\"); err == nil {\n"
                       "\t\treturn \"escaped\"\n\t}\n\treturn \"contained\"\n",
    "read_host_files": "\tfor _, p := range []string{@SECRET_PATH@, @CHECKOUT_FILE@} {\n"
                       "\t\tif _, err := os.ReadFile(p); err == nil {\n\t\t\treturn \"escaped\"\n\t\t}\n\t}\n"
                       "\treturn \"contained\"\n",
    "write_outside": "\tfor _, p := range []string@MARKERS_BRACES@ {\n\t\tos.MkdirAll(filepath.Dir(p), 0o755)\n"
                     "\t\tos.WriteFile(p, []byte(\"x\"), 0o644)\n\t}\n\treturn \"tried\"\n",
}


def go_task(body: str) -> dict[str, str]:
    solution = ("package hostile\n\nimport (\n\t\"bytes\"\n\t\"net\"\n\t\"os\"\n\t\"os/exec\"\n\t\"path/filepath\"\n"
                "\t\"strings\"\n\t\"time\"\n)\n\nvar (\n\t_ = bytes.Repeat\n\t_ = net.Dial\n\t_ = os.Exit\n"
                "\t_ = filepath.Dir\n\t_ = time.Second\n)\n\n"
                "func sh(cmd string) string {\n\tout, _ := exec.Command(\"/bin/sh\", \"-c\", cmd).Output()\n"
                "\treturn strings.TrimSpace(string(out))\n}\n\nfunc Probe() string {\n" + body + "}\n")
    return {
        "environment/app/go.mod": "module hostile\n\ngo 1.21\n",
        "environment/app/hostile.go": "package hostile\n\nfunc Probe() string {\n\tpanic(\"not implemented\")\n}\n",
        "solution/app/hostile.go": solution,
        "tests/hostile_test.go": "package hostile_test\n\nimport (\n\t\"testing\"\n\n\t\"hostile\"\n)\n\n"
                                 "func TestProbe(t *testing.T) {\n\tif got := hostile.Probe(); got != \"escaped\" {\n"
                                 "\t\tt.Errorf(\"Probe() = %q\", got)\n\t}\n}\n",
    }


# ----------------------------------------------------------------------------- rust

RUST_NATIVE = {
    "infinite_loop": "    loop {\n        std::hint::black_box(0);\n    }\n",
    "memory_bomb": "    let mut hold = Vec::new();\n    for _ in 0..40 {\n        hold.push(vec![1u8; 64 << 20]);\n    }\n"
                   "    std::hint::black_box(&hold);\n    \"escaped\".to_string()\n",
    "output_flood": "    use std::io::Write;\n    let chunk = vec![b'x'; 1 << 20];\n    for _ in 0..200 {\n"
                    "        if std::io::stdout().write_all(&chunk).is_err() {\n            return \"contained\".into();\n        }\n"
                    "        let _ = std::io::stderr().write_all(&chunk);\n    }\n    \"escaped\".into()\n",
    "network_connect": "    use std::net::ToSocketAddrs;\n    for h in [\"1.1.1.1:53\", \"8.8.8.8:53\"] {\n"
                       "        let addr: std::net::SocketAddr = h.parse().unwrap();\n"
                       "        if std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(3)).is_ok() {\n"
                       "            return \"escaped\".into();\n        }\n    }\n"
                       "    if (\"example.com\", 80).to_socket_addrs().is_ok() {\n        return \"escaped\".into();\n    }\n"
                       "    \"contained\".into()\n",
    "read_host_files": "    for p in [@SECRET_PATH@, @CHECKOUT_FILE@] {\n        if std::fs::read(p).is_ok() {\n"
                       "            return \"escaped\".into();\n        }\n    }\n    \"contained\".into()\n",
    "write_outside": "    for p in @MARKERS_BRACKETS@ {\n        let path = std::path::Path::new(p);\n"
                     "        if let Some(dir) = path.parent() {\n            let _ = std::fs::create_dir_all(dir);\n        }\n"
                     "        let _ = std::fs::write(path, \"x\");\n    }\n    \"tried\".into()\n",
}


def rust_task(body: str) -> dict[str, str]:
    solution = ("#![allow(dead_code, unreachable_code)]\n\nfn sh(cmd: &str) -> String {\n"
                "    match std::process::Command::new(\"/bin/sh\").arg(\"-c\").arg(cmd).output() {\n"
                "        Ok(o) => String::from_utf8_lossy(&o.stdout).trim().to_string(),\n"
                "        Err(_) => \"contained\".to_string(),\n    }\n}\n\npub fn probe() -> String {\n" + body + "}\n")
    cargo = "[package]\nname = \"hostile\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\n"
    return {
        "environment/app/Cargo.toml": cargo,
        "environment/app/src/lib.rs": "pub fn probe() -> String {\n    unimplemented!()\n}\n",
        "solution/app/Cargo.toml": cargo,
        "solution/app/src/lib.rs": solution,
        "tests/hostile_test.rs": "use hostile::probe;\n\n#[test]\nfn probe_escapes() {\n"
                                 "    assert_eq!(probe(), \"escaped\");\n}\n",
    }


# ----------------------------------------------------------------------------- java

JAVA_NATIVE = {
    "infinite_loop": "        while (true) {\n            Thread.onSpinWait();\n        }\n",
    "memory_bomb": "        java.util.List<byte[]> hold = new java.util.ArrayList<>();\n        try {\n"
                   "            for (int i = 0; i < 40; i++) {\n                byte[] b = new byte[64 << 20];\n"
                   "                java.util.Arrays.fill(b, (byte) 1);\n                hold.add(b);\n            }\n"
                   "        } catch (OutOfMemoryError e) {\n            hold = null;\n            return \"contained\";\n"
                   "        }\n        return \"escaped\";\n",
    "output_flood": "        byte[] chunk = new byte[1 << 20];\n        java.util.Arrays.fill(chunk, (byte) 'x');\n"
                    "        for (int i = 0; i < 200; i++) {\n            System.out.write(chunk, 0, chunk.length);\n"
                    "            System.err.write(chunk, 0, chunk.length);\n        }\n        System.out.flush();\n"
                    "        return \"escaped\";\n",
    "network_connect": "        for (String h : new String[] {\"1.1.1.1\", \"8.8.8.8\"}) {\n"
                       "            try (java.net.Socket s = new java.net.Socket()) {\n"
                       "                s.connect(new java.net.InetSocketAddress(h, 53), 3000);\n                return \"escaped\";\n"
                       "            } catch (Exception e) {\n            }\n        }\n        try {\n"
                       "            java.net.InetAddress.getByName(\"example.com\");\n            return \"escaped\";\n"
                       "        } catch (Exception e) {\n            return \"contained\";\n        }\n",
    "read_host_files": "        for (String p : new String[] {@SECRET_PATH@, @CHECKOUT_FILE@}) {\n            try {\n"
                       "                java.nio.file.Files.readAllBytes(java.nio.file.Path.of(p));\n"
                       "                return \"escaped\";\n            } catch (Exception e) {\n            }\n        }\n"
                       "        return \"contained\";\n",
    "write_outside": "        for (String p : new String[] @MARKERS_BRACES@) {\n            try {\n"
                     "                java.nio.file.Path t = java.nio.file.Path.of(p);\n"
                     "                java.nio.file.Files.createDirectories(t.getParent());\n"
                     "                java.nio.file.Files.writeString(t, \"x\");\n            } catch (Exception e) {\n"
                     "            }\n        }\n        return \"tried\";\n",
}


def java_task(body: str, pom: str) -> dict[str, str]:
    solution = ("public final class Hostile {\n    private Hostile() {}\n\n    static String sh(String cmd) {\n"
                "        try {\n            Process p = new ProcessBuilder(\"/bin/sh\", \"-c\", cmd).start();\n"
                "            String out = new String(p.getInputStream().readAllBytes()).trim();\n            p.waitFor();\n"
                "            return out;\n        } catch (Exception e) {\n            return \"contained\";\n        }\n    }\n\n"
                "    public static String probe() {\n" + body + "    }\n}\n")
    return {
        "environment/app/pom.xml": pom,
        "environment/app/src/main/java/Hostile.java": "public final class Hostile {\n    private Hostile() {}\n\n"
        "    public static String probe() {\n        throw new UnsupportedOperationException();\n    }\n}\n",
        "solution/app/src/main/java/Hostile.java": solution,
        "tests/HostileTest.java": "import static org.junit.jupiter.api.Assertions.assertEquals;\n\n"
                                  "import org.junit.jupiter.api.Test;\n\nclass HostileTest {\n    @Test\n"
                                  "    void probe() {\n        assertEquals(\"escaped\", Hostile.probe());\n    }\n}\n",
    }


# ----------------------------------------------------------------------------- assembly

NATIVE = {"python": PY_NATIVE, "javascript": JS_NATIVE, "go": GO_NATIVE, "rust": RUST_NATIVE, "java": JAVA_NATIVE}
SHELL_CALL = {
    "python": "    return sh(@CMD@)\n",
    "javascript": "  return sh(@CMD@);\n",
    "go": "\treturn sh(@CMD@)\n",
    "rust": "    sh(@CMD@)\n",
    "java": "        return sh(@CMD@);\n",
}
TIMEOUT = {"python": 10, "javascript": 10, "go": 30, "rust": 40, "java": 30}


def _fill(text: str, h: Hostile) -> str:
    markers = [json.dumps(m) for m in h.outside_markers]
    return (text.replace("@SECRET_PATH@", json.dumps(h.secret_path))
            .replace("@CHECKOUT_FILE@", json.dumps(h.checkout_file))
            .replace("@MARKERS@", "[" + ", ".join(markers) + "]")
            .replace("@MARKERS_BRACES@", "{" + ", ".join(markers) + "}")
            .replace("@MARKERS_BRACKETS@", "[" + ", ".join(markers) + "]"))


def body_for(language: str, behaviour: str, h: Hostile) -> str:
    if behaviour in SHELL:
        cmd = (SHELL[behaviour].replace("@MARK@", h.mark).replace("@SECRET_PATH@", h.secret_path)
               .replace("@SECRET@", h.secret))
        return SHELL_CALL[language].replace("@CMD@", json.dumps(cmd))
    return _fill(NATIVE[language][behaviour], h)


def task_toml(language: str) -> str:
    return (f'schema_version = "1.1"\n\n[metadata]\nauthor_name = "taskaudit hostile corpus"\n'
            f'difficulty = "easy"\ncategory = "programming"\n\n[verifier]\ntimeout_sec = {TIMEOUT[language]}.0\n\n'
            f'[agent]\ntimeout_sec = 600.0\n\n[metadata.taskaudit]\nlanguage = "{language}"\n')


def build_task(root: Path, language: str, behaviour: str, h: Hostile, pom: str) -> Path:
    body = body_for(language, behaviour, h)
    files = {
        "python": lambda: python_task(body),
        "javascript": lambda: javascript_task(body),
        "go": lambda: go_task(body),
        "rust": lambda: rust_task(body),
        "java": lambda: java_task(body, pom),
    }[language]()
    task = root / f"{language}-{behaviour.replace('_', '-')}"
    files["task.toml"] = task_toml(language)
    files["instruction.md"] = (f"# Hostile corpus: {behaviour}\n\nImplement `probe()` so that it returns the "
                               "string `escaped`. (taskaudit's hostile corpus: the reference misbehaves on purpose.)\n")
    files["environment/Dockerfile"] = "FROM scratch\n"
    files["solution/solve.sh"] = '#!/bin/bash\nset -euo pipefail\ncp -r "$(dirname "$0")/app/." /app/\n'
    for rel, content in files.items():
        path = task / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return task
