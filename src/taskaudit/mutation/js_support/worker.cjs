'use strict';
// taskaudit's warm worker for JavaScript/TypeScript mutants (node:test, jest and vitest suites),
// in the sandbox.
//
//   node worker.cjs supervise <results dir> (<test file id> <path to run>)...
//
// The supervisor reads the run's nonce (and deletes it) and the plan, then forks one worker
// process and drives it over IPC: a dry run (every test the reference passed, no mutant active:
// which tests reach which schematised functions, and how long each takes), then one request per
// mutant with only the tests reaching it. A mutant whose run passes its hit limit (the dry
// run's count of schematised function entries and loop iterations, x HIT_FACTOR + HIT_EXTRA)
// is a timeout at once. The backstop, for loops that pass no tick: a mutant past its CPU-time
// limit (limitsFor below, re-checked once with a larger limit) is a timeout, one that ends the
// worker a crash. A mutant past its limit is first interrupted (SIGINT, see interruptible()), so
// a synchronous endless loop costs no restart; a worker that does not stop, or that ended, is
// replaced by a spare.
// Every result line written to mutation.jsonl carries the nonce.
//
// The worker runs node:test suites in-process: `require('node:test')` gets a small
// implementation of the API (test/it, describe/suite, hooks, the test context) that registers
// tests instead of scheduling them. A mutant reached while the tests load, or any mutant of a
// task whose files keep state a test can change (plan.stateful, decided by the host from the
// syntax trees: javascript_state.py), runs after a reload: the require cache of the task's
// files is cleared and the test files load again, so it starts from freshly loaded modules
// and its load-time code runs with it active (ES-module test files load through hooks.mjs, a
// new generation of every task module). Every other mutant re-runs the tests registered by the
// last clean load with the new switch value (docs/mutation.md, "Isolation between
// mutants"). A suite the in-process runner cannot reproduce (subtests, a test the reference
// passed that fails or is missing here) makes the supervisor report an error: the host then
// rebuilds every mutant instead.
const fs = require('node:fs');
const path = require('node:path');
const childProcess = require('node:child_process');
const Module = require('node:module');
const vm = require('node:vm');

const mode = process.argv[2];
const RESULTS = process.argv[3];
const FILES = [];
for (let i = 4; i + 1 < process.argv.length; i += 2) FILES.push({ id: process.argv[i], run: process.argv[i + 1] });

if (mode === 'supervise') supervise();
else if (mode === 'work') work();

// ------------------------------------------------------------------ supervisor

// Clock ticks per second of /proc/<pid>/stat's times (USER_HZ): 100 on every Linux port Node runs on.
const TICKS = 100;

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

  // Start a worker and warm it up (Node's start, jest's or vitest's API, one load of the tests)
  // before it gets a mutant: start-up is never counted against a mutant's limit. proc.ready
  // resolves when the worker has answered 'init'.
  function start() {
    const proc = childProcess.fork(__filename, ['work', RESULTS, ...FILES.flatMap((f) => [f.id, f.run])], {
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      env: process.env,
      execArgv: ['--expose-gc'],
    });
    let initDone = false;
    proc.ready = new Promise((resolve, reject) => {
      proc.on('message', (msg) => {
        if (msg && msg.rss) peakRss = Math.max(peakRss, msg.rss);
        if (msg && msg.cpu) proc.lastCpu = msg.cpu;
        if (!initDone) {
          initDone = true;
          if (msg && msg.type === 'init') resolve();
          else reject(new Error(`a new worker did not start: ${msg && msg.error}`));
          return;
        }
        if (pending && proc === worker) {
          const p = pending;
          pending = null;
          clearTimeout(p.timer);
          if (p.interrupting) {
            // Past its limit: a timeout whatever it answers; the worker lives on if it answered.
            p.resolve({ status: 'timeout', detail: p.interrupting, alive: true });
          } else if (msg && msg.type === 'interrupted') {
            p.resolve({ status: 'crash', detail: 'an interruption nobody asked for' });
          } else {
            p.resolve({ status: 'ok', msg });
          }
        }
      });
      proc.on('exit', (code, signal) => {
        const why = `the worker ended without a result (${signal ? 'signal ' + signal : 'exit code ' + code})`;
        if (!initDone) {
          initDone = true;
          reject(new Error(`a new worker did not start: ${why}`));
        }
        if (pending && proc === worker) {
          const p = pending;
          pending = null;
          clearTimeout(p.timer);
          p.resolve({ status: 'crash', detail: why });
        }
      });
    });
    proc.ready.catch(() => {}); // a spare nobody waits for must not be an unhandled rejection
    proc.send({ type: 'init' });
    return proc;
  }

  // Ask the worker to run a request. limits = { cpuMs, wallMs }: the worker is killed (and the
  // answer is 'timeout') once it has used cpuMs of CPU time on this request, or wallMs of wall
  // time whatever it used. CPU time, because a loaded machine delays the worker without making it
  // use more CPU: load alone does not make a mutant time out. Without /proc (an unisolated run
  // elsewhere) the CPU reading falls back to wall time.
  function ask(request, limits) {
    return new Promise((resolve) => {
      const me = worker;
      const cpu0 = cpuMs(me.pid);
      const t0 = performance.now();
      let timer = null;
      const check = () => {
        if (!pending || pending.resolve !== resolve) return; // answered meanwhile
        const wall = performance.now() - t0;
        const now = cpuMs(me.pid);
        const used = now === null || cpu0 === null ? wall : now - cpu0;
        if (used >= limits.cpuMs || wall >= limits.wallMs) {
          const detail = used >= limits.cpuMs ? `used ${(used / 1000).toFixed(2)} s CPU (limit ${(limits.cpuMs / 1000).toFixed(2)} s)` : `ran past ${(limits.wallMs / 1000).toFixed(2)} s wall`;
          // First ask the worker to stop (SIGINT ends a synchronous loop, see interruptible());
          // if it has not answered within INTERRUPT_GRACE_MS of wall time, kill it.
          pending.interrupting = detail;
          me.kill('SIGINT');
          pending.timer = timer = setTimeout(() => {
            if (!pending || pending.resolve !== resolve) return;
            pending = null;
            me.kill('SIGKILL');
            resolve({ status: 'timeout', detail });
          }, INTERRUPT_GRACE_MS);
          return;
        }
        // CPU time cannot run ahead of wall time by much (one thread runs the tests): wait at
        // least until the CPU limit could have been reached, then poll.
        pending.timer = timer = setTimeout(check, Math.max(5, Math.min(limits.cpuMs - used, limits.wallMs - wall)));
      };
      pending = { resolve, timer };
      timer = setTimeout(check, limits.cpuMs);
      pending.timer = timer;
      me.send(request);
    });
  }

  // Mutant limits (docs/mutation.md, "Timeouts"): FACTOR x its tests' dry-run time (plus the
  // time to load the tests, done afresh per mutant), at least FLOOR ms, of CPU time; a wall-clock
  // backstop for a mutant that waits instead of computing; RECHECK x both for the one re-check.
  const FLOOR_MS = plan.floor_ms || 30;
  const FACTOR = 10;
  const RECHECK = 3;
  const BACKSTOP_EXTRA_MS = 1000;
  const INTERRUPT_GRACE_MS = 200;
  // The hit limit (docs/mutation.md, "Timeouts"): HIT_FACTOR x the ticks (schematised function
  // entries and loop iterations) the covering tests made in the dry run, plus HIT_EXTRA. 100 is
  // StrykerJS's factor (its hitLimit); HIT_EXTRA keeps a test that made almost no ticks from
  // getting a limit a merely slower mutant could pass (10,000 ticks cost well under the 30 ms
  // CPU floor even in a loop that does real work, so an endless loop still stops early).
  const HIT_FACTOR = plan.hit_factor || 100;
  const HIT_EXTRA = plan.hit_extra === undefined ? 10000 : plan.hit_extra;
  function limitsFor(budgetMs) {
    const cpu = Math.max(FLOOR_MS, FACTOR * budgetMs);
    return { cpuMs: cpu, wallMs: Math.max(cpu, FACTOR * budgetMs, budgetMs + BACKSTOP_EXTRA_MS) };
  }

  // CPU milliseconds (user + system) process pid has used, from /proc; null when unreadable.
  function cpuMs(pid) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
    } catch {
      return null;
    }
  }

  // Replace the worker (after a timeout or a crash) by the spare, which has started meanwhile,
  // and start the next spare: a restart costs the next mutant no wait for Node to start.
  let spare = null;
  async function fresh() {
    if (worker) {
      workerCpu += worker.lastCpu || 0;
      worker.kill('SIGKILL');
    }
    restarts += 1;
    worker = spare || start();
    spare = null;
    await worker.ready;
    spare = start();
  }

  (async () => {
    worker = start();
    await worker.ready;
    const dryLimit = Math.max(60000, 30000 * plan.expected.length);
    const dry = await ask({ type: 'dry', expected: plan.expected }, { cpuMs: dryLimit, wallMs: dryLimit });
    if (dry.status !== 'ok' || dry.msg.error) {
      emit({ kind: 'header', error: dry.status !== 'ok' ? `dry run: ${dry.status} ${dry.detail || ''}` : dry.msg.error });
      worker.kill('SIGKILL');
      return;
    }
    const { tests, loadReached, loadMs, loadTicks, hookTicks } = dry.msg;
    const problems = plan.expected.filter((id) => !tests[id] || !tests[id].passed);
    if (problems.length) {
      emit({ kind: 'header', error: `the in-process runner does not reproduce ${problems.length} reference passes, e.g. ${problems.slice(0, 3).join(', ')}` });
      worker.kill('SIGKILL');
      return;
    }
    emit({ kind: 'header', loadReached, restarts: 0, stateful: plan.stateful || '' });
    const atLoad = new Set(loadReached);
    let reloads = 0;
    let watchdogAlways = false;
    for (const [number, fn] of plan.mutants) {
      const covering = plan.expected.filter((id) => atLoad.has(fn) || tests[id].reached.includes(fn));
      if (!covering.length) {
        emit({ kind: 'mutant', key: number, outcome: 'no_coverage' });
        continue;
      }
      // Reload the task's modules for this mutant only when it can matter (docs/mutation.md,
      // "Isolation between mutants"): the mutant acts at load time, or the task's files keep
      // state a test run can change (plan.stateful, decided from their syntax trees). A load
      // made with a load-time mutant active is not kept for the next one.
      const reload = Boolean(plan.stateful) || atLoad.has(fn);
      if (reload) reloads += 1;
      // Every reload leaves the previous module copies as garbage: collect it now and then,
      // outside any mutant's limit, so memory stays flat however many mutants run.
      if (reload && reloads % 50 === 0) await ask({ type: 'gc' }, { cpuMs: 60000, wallMs: 60000 });
      const budget = covering.reduce((s, id) => s + tests[id].ms, 0) + (reload ? loadMs || 0 : 0);
      const counted = covering.reduce((s, id) => s + (tests[id].ticks || 0), 0) + (hookTicks || 0) + (reload ? loadTicks || 0 : 0);
      const hitLimit = HIT_FACTOR * counted + HIT_EXTRA;
      // First runs go without the SIGINT watchdog (see interruptible()) unless they reload, or
      // an endless loop the hit limit did not see has already cost this task a restart.
      const request = { type: 'run', number, tests: covering, reload, keep: !atLoad.has(fn), hitLimit, watchdog: reload || watchdogAlways };
      let limits = limitsFor(budget);
      const t0 = performance.now();
      let answer = await ask(request, limits);
      let recheck = '';
      if (answer.status === 'timeout') {
        // Once more, with larger limits, before calling it a timeout (in a fresh worker unless
        // the first run could be interrupted).
        recheck = `first run ${answer.detail}`;
        if (!answer.alive) {
          if (!request.watchdog) watchdogAlways = true;
          await fresh();
        }
        limits = { cpuMs: RECHECK * limits.cpuMs, wallMs: RECHECK * limits.wallMs };
        answer = await ask({ ...request, watchdog: true }, limits);
      }
      const ms = performance.now() - t0;
      const record = { kind: 'mutant', key: number, covered_by: covering, ms };
      if (recheck) record.rechecked = true;
      if (answer.status === 'ok' && !answer.msg.error && answer.msg.hit_limit) {
        // Deterministic (the same code counts the same ticks), so no re-check.
        const { count, limit } = answer.msg.hit_limit;
        record.outcome = 'timeout';
        record.detail = `hit limit reached (${count} > ${limit} function calls and loop iterations; its tests made ${counted} in the dry run, hooks${reload ? ' and load' : ''} included)`;
        if (recheck) record.detail = `${recheck}; re-check: ${record.detail}`;
      } else if (answer.status === 'ok' && !answer.msg.error) {
        record.outcome = answer.msg.killed.length ? 'killed' : 'survived';
        record.killed_by = answer.msg.killed;
        record.cpu_ms = answer.msg.run_cpu_ms;
        if (recheck) record.detail = `${recheck}; the re-check completed`;
      } else if (answer.status === 'timeout') {
        record.outcome = 'timeout';
        record.detail = `${recheck}; re-check ${answer.detail}`;
        if (!answer.alive) await fresh();
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
    emit({ kind: 'footer', restarts, reloads, peak_rss: peakRss, cpu_sec: cpu + ((spare && spare.lastCpu) || 0) });
    worker.kill('SIGKILL');
    if (spare) spare.kill('SIGKILL');
  })().catch((err) => {
    emit({ kind: 'header', error: `supervisor: ${err && err.stack ? err.stack : err}` });
    if (worker) worker.kill('SIGKILL');
    if (spare) spare.kill('SIGKILL');
  });
}

// ------------------------------------------------------------------ worker

function work() {
  const realTest = require('node:test');
  let active = 0;
  const reached = new Set();
  // The hit counter (docs/mutation.md, "Timeouts"): every entry into a schematised function
  // and every loop iteration inside one ticks it. The dry run records each test's count; a
  // mutant's run gets a limit from those counts, and past it every tick throws and hitLimit
  // records the count, so the run is a timeout whatever the task's code catches.
  let ticks = 0;
  let tickLimit = Infinity;
  let hitLimit = null;
  function pastLimit() {
    if (!hitLimit) hitLimit = { count: ticks, limit: tickLimit };
    throw new Error(`taskaudit: hit limit reached (${ticks} > ${tickLimit})`);
  }
  globalThis.__taskaudit_hit = (key) => {
    reached.add(key);
    if (++ticks > tickLimit) pastLimit();
    return active;
  };
  globalThis.__taskaudit_tick = () => {
    if (++ticks > tickLimit) pastLimit();
  };
  // What a fresh load would reset in the loaded modules (the schema registers these: the
  // lastIndex of /g and /y regexes); run before a mutant that does not reload.
  let resets = [];
  globalThis.__taskaudit_reset = (fn) => {
    resets.push(fn);
  };

  // The registry the node:test shim fills while the test files load.
  let registry = null;
  let loaded = null; // the tests of the last clean load (no mutant acted on it): by id
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

  // jest / vitest suites (TASKAUDIT_MUTATION_RUNNER): their API on the same registry
  // (runner_api.cjs), installed before the first load; 'node' runs node:test suites.
  const flavour = process.env.TASKAUDIT_MUTATION_RUNNER || 'node';
  let runnerApi = null;
  const prims = {
    makeTest, makeSuite, hook,
    markUnsupported(why) {
      unsupported = unsupported || why;
    },
  };
  async function installRunnerApi() {
    if (flavour === 'node' || runnerApi) return;
    runnerApi = await require('./runner_api.cjs').install(flavour, prims, process.cwd());
    Object.assign(globalThis, runnerApi.globals);
    globalThis.__taskaudit_runner_api = runnerApi.exports;
  }

  const originalLoad = Module._load;
  Module._load = function load(request, parent, isMain) {
    if (flavour === 'node' && (request === 'node:test' || request === 'test')) return shim;
    if (runnerApi && runnerApi.moduleNames.includes(request)) return runnerApi.exports;
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
    if (flavour === 'vitest') return !file.endsWith('.cjs'); // vitest loads test files as ES modules
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
      interruptible(() => require(run));
      return;
    }
    if (!esmHooks) {
      Module.register(pathToFileURL(path.join(__dirname, 'hooks.mjs')).href);
      esmHooks = true;
    }
    await import(`${pathToFileURL(run).href}?taskaudit_g=${generation}`);
  }

  async function loadTests() {
    resets = [];
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
      if (flavour !== 'node') {
        // jest and vitest give every test file its own module registry: fresh task modules.
        for (const key of Object.keys(require.cache)) {
          if (isTaskFile(key)) delete require.cache[key];
        }
        generation += 1;
      }
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

  // The synchronous part of task code (a test, a hook, a CommonJS load) runs inside a vm call
  // with breakOnSigint: when a mutant passes its CPU limit in a synchronous loop, the supervisor
  // sends SIGINT, the loop ends with ERR_SCRIPT_EXECUTION_INTERRUPTED, and this worker lives on
  // (no restart). Code that hangs in asynchronous waits is not interrupted: the supervisor
  // kills the worker instead.
  //
  // breakOnSigint costs about 40 us a call (it arms a signal watchdog), more than a fast test:
  // first runs go without it (the hit limit stops loops in schematised code; a loop elsewhere
  // costs a worker restart), and the dry run, loads and re-checks keep it (request.watchdog).
  const interruptScript = new vm.Script('globalThis.__taskaudit_call()');
  let watchdog = true;
  function interruptible(fn) {
    if (!watchdog) return fn();
    globalThis.__taskaudit_call = fn;
    try {
      return interruptScript.runInThisContext({ breakOnSigint: true });
    } finally {
      globalThis.__taskaudit_call = null;
    }
  }
  function isInterrupt(err) {
    return Boolean(err && err.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED');
  }
  process.on('SIGINT', () => {}); // a SIGINT outside task code must not end the worker

  function callHook(fn, ctx, name) {
    return runnerApi ? runnerApi.callHook(fn, name) : call(fn, ctx);
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

  // Ticks made by suite-level hooks (before/after: once per run, whichever tests run), which
  // the dry run reports apart from the tests' own: every mutant's limit includes them.
  let suiteHookTicks = 0;

  async function runTests(ids, byId) {
    const results = {};
    const started = new Set();
    suiteHookTicks = 0;
    for (const id of ids) {
      if (hitLimit) break; // past the hit limit: a timeout, the remaining tests need not run
      const node = byId.get(id);
      if (!node) {
        results[id] = { passed: false, missing: true, ms: 0, reached: [] };
        continue;
      }
      reached.clear();
      currentFailure = null;
      const ticks0 = ticks;
      const t0 = performance.now();
      let passed = true;
      const suites = chain(node);
      const ctx = testContext(node);
      let hookTicks = 0;
      try {
        for (const s of suites) {
          if (!started.has(s)) {
            started.add(s);
            const h0 = ticks;
            try {
              for (const h of s.hooks.before) await interruptible(() => callHook(h, suiteContext(s), s.name));
            } finally {
              hookTicks += ticks - h0;
            }
          }
        }
        if (runnerApi) runnerApi.beforeTest([...suites.map((s) => s.name).filter(Boolean), node.name].join(' '));
        for (const s of suites) for (const h of s.hooks.beforeEach) await interruptible(() => callHook(h, ctx, node.name));
        try {
          if (runnerApi) {
            await interruptible(() => runnerApi.callTest(node.fn, node.name));
            runnerApi.afterTest();
          } else {
            await interruptible(() => call(node.fn, ctx));
          }
        } finally {
          for (const s of [...suites].reverse()) for (const h of s.hooks.afterEach) await interruptible(() => callHook(h, ctx, node.name));
        }
        await new Promise((resolve) => setImmediate(resolve)); // let stray rejections surface
        if (currentFailure) passed = false;
      } catch (err) {
        if (isInterrupt(err)) throw err; // the supervisor stopped this mutant: no verdict
        passed = false;
        if (String(err && err.message).includes('not supported by the in-process runner')) unsupported = err.message;
      }
      try {
        realTest.mock.restoreAll();
      } catch {}
      suiteHookTicks += hookTicks;
      results[id] = { passed, ms: performance.now() - t0, reached: [...reached], ticks: ticks - ticks0 - hookTicks };
    }
    const h0 = ticks;
    for (const s of [...started].reverse()) {
      for (const h of s.hooks.after) {
        try {
          await interruptible(() => callHook(h, suiteContext(s), s.name));
        } catch (err) {
          if (isInterrupt(err)) throw err;
        }
      }
    }
    suiteHookTicks += ticks - h0;
    return results;
  }

  process.on('message', async (msg) => {
    try {
      await installRunnerApi();
      if (msg.type === 'init') {
        try {
          await loadTests(); // compiles the task's modules once (V8 caches the code): a warm start
        } catch {} // the dry run reports what does not load
        loaded = null; // the dry run loads again, and its load is the one mutants reuse
        const cpu = process.cpuUsage();
        process.send({ type: 'init', cpu: (cpu.user + cpu.system) / 1e6 });
      } else if (msg.type === 'gc') {
        if (typeof globalThis.gc === 'function') globalThis.gc();
        process.send({ type: 'gc' });
      } else if (msg.type === 'dry') {
        active = 0;
        reached.clear();
        await loadTests(); // the first load starts the ES-module hooks and compiles: not timed
        const loadReached = [...reached];
        reached.clear();
        const l0 = performance.now();
        ticks = 0;
        const byId = await loadTests(); // what each mutant's load costs
        const loadMs = performance.now() - l0;
        const loadTicks = ticks;
        for (const key of reached) if (!loadReached.includes(key)) loadReached.push(key);
        const tests = await runTests(msg.expected, byId);
        if (unsupported) throw new Error(`unsupported by the in-process runner: ${unsupported}`);
        loaded = byId;
        process.send({ type: 'dry', tests, loadReached, loadMs, loadTicks, hookTicks: suiteHookTicks });
      } else if (msg.type === 'run') {
        const c0 = process.cpuUsage();
        active = msg.number;
        ticks = 0;
        hitLimit = null;
        tickLimit = msg.hitLimit || Infinity;
        watchdog = msg.watchdog !== false;
        let results = {};
        try {
          // Reload the task's modules only when the supervisor says it can matter (the
          // mutant acts at load time, the task keeps module state, the last load was not
          // clean): otherwise the registered tests run again with the new switch value.
          let loadFailed = false;
          if (msg.reload || !loaded) {
            loaded = null;
            try {
              loaded = await loadTests();
            } catch (err) {
              if (hitLimit || isInterrupt(err) || !msg.reload || active === 0) throw err;
              // The test files do not load with this mutant active: every test fails, as
              // under the real runner (a file that fails to load has no passing test).
              loadFailed = true;
            }
            // A reload the supervisor did not plan (after an interrupted run, in a new worker):
            // its ticks are not in the limit, so they do not count.
            if (!msg.reload) ticks = 0;
          } else {
            for (const reset of resets) reset();
          }
          if (!loadFailed) results = await runTests(msg.tests, loaded);
        } catch (err) {
          if (!hitLimit && !isInterrupt(err)) throw err;
          if (!hitLimit) {
            loaded = null; // interrupted mid-run: the next mutant starts from a fresh load
            tickLimit = Infinity;
            process.send({ type: 'interrupted' });
            return;
          }
        } finally {
          tickLimit = Infinity;
          watchdog = true;
        }
        // Not reused: a run stopped mid-test (its state may be half-updated), or a load made
        // with a load-time mutant active.
        if (hitLimit || msg.keep === false) loaded = null;
        const cpu = process.cpuUsage();
        process.send({
          type: 'result',
          killed: msg.tests.filter((id) => !results[id] || !results[id].passed), // none ran: the load failed
          hit_limit: hitLimit,
          run_cpu_ms: ((cpu.user - c0.user) + (cpu.system - c0.system)) / 1000, // this mutant's load and tests
          rss: process.memoryUsage().rss,
          cpu: (cpu.user + cpu.system) / 1e6,
        });
      }
    } catch (err) {
      process.send({ type: 'error', error: String(err && err.stack ? err.stack : err).slice(0, 2000) });
    }
  });
}
