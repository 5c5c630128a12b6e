'use strict';
// taskaudit's warm worker for JavaScript/TypeScript mutants (node:test suites), in the sandbox.
//
//   node worker.cjs supervise <results dir> (<test file id> <path to run>)...
//
// The supervisor reads the run's nonce (and deletes it) and the plan, then forks one worker
// process and drives it over IPC: a dry run (every test the reference passed, no mutant active:
// which tests reach which schematised functions, and how long each takes), then one request per
// mutant with only the tests reaching it. A mutant that runs past its limit (max(10x, +1 s) of
// its tests' dry-run time) or ends the worker is recorded (timeout / crash) and a new worker is
// forked for the next one. Every result line written to mutation.jsonl carries the nonce.
//
// The worker runs node:test suites in-process: `require('node:test')` gets a small
// implementation of the API (test/it, describe/suite, hooks, the test context) that registers
// tests instead of scheduling them. Before each run it clears the require cache of the task's
// files and loads the test files again, so every mutant starts from freshly loaded modules
// (module-level state does not leak between mutants, and load-time code runs with the mutant
// active; ES-module test files load through hooks.mjs, a new generation of every task module
// per mutant). A suite the in-process runner cannot reproduce (subtests, a test the
// reference passed that fails or is missing here) makes the supervisor report an error: the
// host then rebuilds every mutant instead.
const fs = require('node:fs');
const path = require('node:path');
const childProcess = require('node:child_process');
const Module = require('node:module');

const mode = process.argv[2];
const RESULTS = process.argv[3];
const FILES = [];
for (let i = 4; i + 1 < process.argv.length; i += 2) FILES.push({ id: process.argv[i], run: process.argv[i + 1] });

if (mode === 'supervise') supervise();
else if (mode === 'work') work();

// ------------------------------------------------------------------ supervisor

function supervise() {
  let nonce = '';
  try {
    nonce = fs.readFileSync(path.join(RESULTS, 'mutation-nonce'), 'utf8').trim();
    fs.unlinkSync(path.join(RESULTS, 'mutation-nonce'));
  } catch {
    nonce = '';
  }
  const plan = JSON.parse(fs.readFileSync(path.join(RESULTS, 'plan.json'), 'utf8'));
  const out = fs.openSync(path.join(RESULTS, 'mutation.jsonl'), 'a');
  const emit = (record) => fs.writeSync(out, JSON.stringify({ ...record, nonce }) + '\n');
  let worker = null;
  let restarts = 0;
  let pending = null; // {resolve, timer}
  let peakRss = 0;
  let workerCpu = 0; // CPU seconds of workers that ended (the live one reports its own)

  function spawn() {
    worker = childProcess.fork(__filename, ['work', RESULTS, ...FILES.flatMap((f) => [f.id, f.run])], {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      env: process.env,
      execArgv: ['--expose-gc'],
    });
    const me = worker;
    worker.on('message', (msg) => {
      if (msg && msg.rss) peakRss = Math.max(peakRss, msg.rss);
      if (msg && msg.cpu) me.lastCpu = msg.cpu;
      if (pending && me === worker) {
        const p = pending;
        pending = null;
        clearTimeout(p.timer);
        p.resolve({ status: 'ok', msg });
      }
    });
    worker.on('exit', (code, signal) => {
      if (pending && me === worker) {
        const p = pending;
        pending = null;
        clearTimeout(p.timer);
        p.resolve({ status: 'crash', detail: `the worker ended without a result (${signal ? 'signal ' + signal : 'exit code ' + code})` });
      }
    });
  }

  function ask(request, limitMs) {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pending = null;
        worker.kill('SIGKILL');
        resolve({ status: 'timeout' });
      }, limitMs);
      pending = { resolve, timer };
      worker.send(request);
    });
  }

  async function fresh() {
    if (worker) {
      workerCpu += worker.lastCpu || 0;
      worker.kill('SIGKILL');
    }
    restarts += 1;
    spawn();
  }

  (async () => {
    spawn();
    const dry = await ask({ type: 'dry', expected: plan.expected }, Math.max(60000, 30000 * plan.expected.length));
    if (dry.status !== 'ok' || dry.msg.error) {
      emit({ kind: 'header', error: dry.status !== 'ok' ? `dry run: ${dry.status} ${dry.detail || ''}` : dry.msg.error });
      worker.kill('SIGKILL');
      return;
    }
    const { tests, loadReached } = dry.msg;
    const problems = plan.expected.filter((id) => !tests[id] || !tests[id].passed);
    if (problems.length) {
      emit({ kind: 'header', error: `the in-process runner does not reproduce ${problems.length} reference passes, e.g. ${problems.slice(0, 3).join(', ')}` });
      worker.kill('SIGKILL');
      return;
    }
    emit({ kind: 'header', loadReached, restarts: 0 });
    const atLoad = new Set(loadReached);
    for (const [number, fn] of plan.mutants) {
      const covering = plan.expected.filter((id) => atLoad.has(fn) || tests[id].reached.includes(fn));
      if (!covering.length) {
        emit({ kind: 'mutant', key: number, outcome: 'no_coverage' });
        continue;
      }
      const budget = covering.reduce((s, id) => s + tests[id].ms, 0) + 2;
      const limit = Math.max(10 * budget, budget + (plan.min_limit_ms || 1000));
      const t0 = performance.now();
      const answer = await ask({ type: 'run', number, tests: covering }, limit);
      const ms = performance.now() - t0;
      const record = { kind: 'mutant', key: number, covered_by: covering, ms };
      if (answer.status === 'ok' && !answer.msg.error) {
        record.outcome = answer.msg.killed.length ? 'killed' : 'survived';
        record.killed_by = answer.msg.killed;
      } else if (answer.status === 'timeout') {
        record.outcome = 'timeout';
        record.detail = `ran past its ${(limit / 1000).toFixed(2)} s limit`;
        await fresh();
      } else {
        record.outcome = 'crash';
        record.detail = answer.detail || answer.msg.error;
        await fresh();
      }
      emit(record);
    }
    const own = process.cpuUsage();
    const cpu = (own.user + own.system) / 1e6 + workerCpu + (worker.lastCpu || 0);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    emit({ kind: 'footer', restarts, peak_rss: peakRss, cpu_sec: cpu });
    worker.kill('SIGKILL');
  })().catch((err) => {
    emit({ kind: 'header', error: `supervisor: ${err && err.stack ? err.stack : err}` });
    if (worker) worker.kill('SIGKILL');
  });
}

// ------------------------------------------------------------------ worker

function work() {
  const realTest = require('node:test');
  let active = 0;
  const reached = new Set();
  globalThis.__taskaudit_hit = (key) => {
    reached.add(key);
    return active;
  };

  // The registry the node:test shim fills while the test files load.
  let registry = null;
  let current = null;
  let currentFile = null;
  let unsupported = null;

  function newSuite(name, parent) {
    return { kind: 'suite', name, parent, children: [], hooks: { before: [], after: [], beforeEach: [], afterEach: [] } };
  }

  function parseArgs(args) {
    let name;
    let options = {};
    let fn;
    for (const a of args) {
      if (typeof a === 'string') name = a;
      else if (typeof a === 'function') fn = a;
      else if (a && typeof a === 'object') options = a;
    }
    if (name === undefined) name = (fn && fn.name) || '<anonymous>';
    return { name, options, fn };
  }

  function makeTest(flags) {
    return (...args) => {
      const { name, options, fn } = parseArgs(args);
      const skip = flags.skip || flags.todo || options.skip || options.todo || !fn;
      current.children.push({ kind: 'test', name, fn, skip: Boolean(skip), parent: current, file: currentFile });
      return Promise.resolve();
    };
  }

  function makeSuite(flags) {
    return (...args) => {
      const { name, options, fn } = parseArgs(args);
      const suite = newSuite(name, current);
      suite.skip = Boolean(flags.skip || flags.todo || options.skip || options.todo);
      current.children.push(suite);
      const previous = current;
      current = suite;
      try {
        const result = fn ? fn(suiteContext(suite)) : undefined;
        if (result && typeof result.then === 'function') unsupported = 'an async describe()';
      } finally {
        current = previous;
      }
      return Promise.resolve();
    };
  }

  function suiteContext(suite) {
    return { name: suite.name, signal: new AbortController().signal };
  }

  function hook(kind) {
    return (fn) => {
      current.hooks[kind].push(fn);
    };
  }

  const test = makeTest({});
  test.skip = makeTest({ skip: true });
  test.todo = makeTest({ todo: true });
  test.only = makeTest({});
  const describe = makeSuite({});
  describe.skip = makeSuite({ skip: true });
  describe.todo = makeSuite({ todo: true });
  describe.only = makeSuite({});
  const shim = {
    test, it: test, describe, suite: describe,
    before: hook('before'), after: hook('after'), beforeEach: hook('beforeEach'), afterEach: hook('afterEach'),
    mock: realTest.mock,
    run() {
      unsupported = 'node:test run()';
    },
  };
  shim.default = shim.test;
  Object.assign(shim.test, shim);

  const originalLoad = Module._load;
  Module._load = function load(request, parent, isMain) {
    if (request === 'node:test' || request === 'test') return shim;
    return originalLoad.call(this, request, parent, isMain);
  };

  function isTaskFile(file) {
    return !file.includes(`${path.sep}node_modules${path.sep}`) && !file.startsWith(__dirname);
  }

  // ES-module test files: 'node:test' resolves to shim.mjs, and each load is a new generation.
  globalThis.__taskaudit_node_test = shim;
  let esmHooks = false;
  let generation = 0;
  const { pathToFileURL } = require('node:url');

  // Whether Node loads a file as an ES module: .mjs, or .js under a package.json with
  // "type": "module" (the nearest one, as Node decides). Node 20.19+ would also require() an
  // ES module, but then its `import 'node:test'` would bypass the shim: such files are imported.
  function isEsm(file) {
    if (file.endsWith('.mjs')) return true;
    if (!file.endsWith('.js')) return false;
    for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
      try {
        return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).type === 'module';
      } catch (err) {
        if (err.code !== 'ENOENT') return false;
      }
      if (dir === path.dirname(dir)) return false;
    }
  }

  async function loadFile(run) {
    if (!isEsm(run)) {
      require(run);
      return;
    }
    if (!esmHooks) {
      Module.register(pathToFileURL(path.join(__dirname, 'hooks.mjs')).href);
      esmHooks = true;
    }
    await import(`${pathToFileURL(run).href}?taskaudit_g=${generation}`);
  }

  async function loadTests() {
    for (const key of Object.keys(require.cache)) {
      if (isTaskFile(key)) delete require.cache[key];
    }
    // Modules keep the modules they required in `children`: drop the old copies, or every
    // reload would keep the previous one alive (memory would grow with the mutant count).
    for (const cached of [module, ...Object.values(require.cache)]) {
      if (cached && cached.children) cached.children = cached.children.filter((c) => !isTaskFile(c.id));
    }
    registry = newSuite(null, null);
    current = registry;
    unsupported = null;
    generation += 1;
    for (const f of FILES) {
      currentFile = f.id;
      await loadFile(path.resolve(f.run));
    }
    current = null;
    if (unsupported) throw new Error(`unsupported by the in-process runner: ${unsupported}`);
    // Test ids as the language's results parser builds them: file::suites::name, "(n)" on repeats.
    const byId = new Map();
    const seen = new Map();
    (function visit(node, suites) {
      for (const child of node.children) {
        if (child.kind === 'suite') visit(child, [...suites, child.name]);
        else {
          const base = [child.file, ...suites, child.name].join('::');
          const n = (seen.get(base) || 0) + 1;
          seen.set(base, n);
          byId.set(n === 1 ? base : `${base} (${n})`, child);
        }
      }
    })(registry, []);
    return byId;
  }

  function chain(node) {
    const out = [];
    for (let s = node.parent; s; s = s.parent) out.unshift(s);
    return out;
  }

  function call(fn, ctx) {
    if (fn.length >= 2) {
      return new Promise((resolve, reject) => {
        fn(ctx, (err) => (err ? reject(err) : resolve()));
      });
    }
    return fn(ctx);
  }

  let currentFailure = null;
  process.on('uncaughtException', (err) => {
    currentFailure = err || new Error('uncaught exception');
  });
  process.on('unhandledRejection', (err) => {
    currentFailure = err || new Error('unhandled rejection');
  });

  function testContext(node) {
    return {
      name: node.name,
      signal: new AbortController().signal,
      mock: realTest.mock,
      diagnostic() {},
      skip() {},
      todo() {},
      plan() {},
      assert: require('node:assert'),
      test() {
        throw new Error('subtests are not supported by the in-process runner');
      },
    };
  }

  async function runTests(ids, byId) {
    const results = {};
    const started = new Set();
    for (const id of ids) {
      const node = byId.get(id);
      if (!node) {
        results[id] = { passed: false, missing: true, ms: 0, reached: [] };
        continue;
      }
      reached.clear();
      currentFailure = null;
      const t0 = performance.now();
      let passed = true;
      const suites = chain(node);
      const ctx = testContext(node);
      try {
        for (const s of suites) {
          if (!started.has(s)) {
            started.add(s);
            for (const h of s.hooks.before) await call(h, suiteContext(s));
          }
        }
        for (const s of suites) for (const h of s.hooks.beforeEach) await call(h, ctx);
        try {
          await call(node.fn, ctx);
        } finally {
          for (const s of [...suites].reverse()) for (const h of s.hooks.afterEach) await call(h, ctx);
        }
        await new Promise((resolve) => setImmediate(resolve)); // let stray rejections surface
        if (currentFailure) passed = false;
      } catch (err) {
        passed = false;
        if (String(err && err.message).includes('not supported by the in-process runner')) unsupported = err.message;
      }
      try {
        realTest.mock.restoreAll();
      } catch {}
      results[id] = { passed, ms: performance.now() - t0, reached: [...reached] };
    }
    for (const s of [...started].reverse()) {
      for (const h of s.hooks.after) {
        try {
          await call(h, suiteContext(s));
        } catch {}
      }
    }
    return results;
  }

  let runs = 0;
  process.on('message', async (msg) => {
    try {
      if (msg.type === 'dry') {
        active = 0;
        reached.clear();
        const byId = await loadTests();
        const loadReached = [...reached];
        const tests = await runTests(msg.expected, byId);
        if (unsupported) throw new Error(`unsupported by the in-process runner: ${unsupported}`);
        process.send({ type: 'dry', tests, loadReached });
      } else if (msg.type === 'run') {
        // Every reload leaves the previous module copies as garbage: collect it now and then,
        // so memory stays flat however many mutants run.
        runs += 1;
        if (runs % 50 === 0 && typeof globalThis.gc === 'function') globalThis.gc();
        active = msg.number;
        const byId = await loadTests();
        const results = await runTests(msg.tests, byId);
        const cpu = process.cpuUsage();
        process.send({
          type: 'result',
          killed: msg.tests.filter((id) => !results[id].passed),
          rss: process.memoryUsage().rss,
          cpu: (cpu.user + cpu.system) / 1e6,
        });
      }
    } catch (err) {
      process.send({ type: 'error', error: String(err && err.stack ? err.stack : err).slice(0, 2000) });
    }
  });
}
