'use strict';
// jest's and vitest's test API for the warm worker's in-process runner (worker.cjs).
//
// A jest or vitest suite that only uses describe/test/it (with .each, .skip, .only, .todo), the
// hooks, expect and jest.fn/spyOn (vi.fn/spyOn) runs in the warm worker like a node:test suite:
// the tests register into the same registry and run with the same switch per mutant. The
// assertions are the runner's own: jest's `expect` package (what jest-circus installs) or
// vitest's `@vitest/expect` on chai (what vitest's createExpect builds), both resolved from the
// task's own node_modules; test.each names come from `jest-each` itself for jest. Anything else
// (jest.mock, fake timers, snapshots, vi.mock ...) marks the suite unsupported, and any test the
// reference passed that this runner does not pass makes the host rebuild every mutant instead,
// so a suite this file cannot reproduce costs speed, never a wrong outcome.
const Module = require('node:module');
const path = require('node:path');
const util = require('node:util');

// prims: { makeTest(flags), makeSuite(flags), hook(kind), markUnsupported(why) } from worker.cjs.
// Returns { globals, exports, callTest, callHook, beforeTest, afterTest }.
async function install(flavour, prims, appDir) {
  const requireFromApp = Module.createRequire(path.join(appDir, 'package.json'));
  const api = flavour === 'jest' ? jestApi(prims, requireFromApp) : await vitestApi(prims, requireFromApp);
  return api;
}

// An object whose unknown properties mark the suite unsupported (and throw if called).
function guarded(target, label, prims) {
  return new Proxy(target, {
    get(obj, prop) {
      if (prop in obj || typeof prop === 'symbol' || prop === 'then') return obj[prop];
      prims.markUnsupported(`${label}.${String(prop)}`);
      return () => {
        throw new Error(`${label}.${String(prop)} is not supported by the in-process runner`);
      };
    },
  });
}

function baseFunctions(prims) {
  const test = prims.makeTest({});
  test.skip = prims.makeTest({ skip: true });
  test.todo = prims.makeTest({ todo: true });
  test.only = prims.makeTest({});
  const describe = prims.makeSuite({});
  describe.skip = prims.makeSuite({ skip: true });
  describe.only = prims.makeSuite({});
  describe.todo = prims.makeSuite({ todo: true });
  return { test, describe };
}

// --------------------------------------------------------------------------- jest

function jestApi(prims, requireFromApp) {
  const { expect } = requireFromApp('expect');
  const { ModuleMocker } = requireFromApp('jest-mock');
  const bind = requireFromApp('jest-each').bind;
  const mocker = new ModuleMocker(globalThis);
  const { test, describe } = baseFunctions(prims);
  // jest-circus's names: each via jest-each (same titles, hence the same test ids), x/f aliases.
  test.each = bind(test);
  test.skip.each = bind(test.skip);
  test.only.each = bind(test.only);
  describe.each = bind(describe, false);
  describe.skip.each = bind(describe.skip, false);
  describe.only.each = bind(describe.only, false);
  const jest = guarded({
    fn: mocker.fn.bind(mocker),
    spyOn: mocker.spyOn.bind(mocker),
    isMockFunction: mocker.isMockFunction.bind(mocker),
    clearAllMocks: () => mocker.clearAllMocks(),
    resetAllMocks: () => mocker.resetAllMocks(),
    restoreAllMocks: () => mocker.restoreAllMocks(),
  }, 'jest', prims);
  const it = guarded(test, 'test', prims);
  const globals = {
    describe: guarded(describe, 'describe', prims), test: it, it,
    xit: test.skip, xtest: test.skip, fit: test.only, xdescribe: describe.skip, fdescribe: describe.only,
    expect, jest,
    beforeAll: prims.hook('before'), afterAll: prims.hook('after'),
    beforeEach: prims.hook('beforeEach'), afterEach: prims.hook('afterEach'),
  };
  return {
    globals,
    exports: { ...globals },
    moduleNames: ['@jest/globals'],
    // jest passes a `done` callback to a test or hook that declares a parameter.
    callTest: (fn) => callWithDone(fn),
    callHook: (fn) => callWithDone(fn),
    beforeTest(name) {
      expect.setState({ assertionCalls: 0, expectedAssertionsNumber: null, isExpectingAssertions: false,
        suppressedErrors: [], currentTestName: name });
    },
    afterTest() {
      const errors = expect.extractExpectedAssertionsErrors();
      if (errors.length) throw errors[0].error;
    },
  };
}

function callWithDone(fn) {
  if (fn.length >= 1) {
    return new Promise((resolve, reject) => {
      fn((err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()));
    });
  }
  return fn();
}

// --------------------------------------------------------------------------- vitest

async function importFromApp(requireFromApp, name) {
  const { pathToFileURL } = require('node:url');
  // import.meta.resolve is not available to CommonJS: find the package's ESM entry by its
  // package.json "exports" through require.resolve of the package.json, then its "import" field.
  const pkgPath = requireFromApp.resolve(`${name}/package.json`);
  const pkg = JSON.parse(require('node:fs').readFileSync(pkgPath, 'utf8'));
  let entry = pkg.module || pkg.main || 'index.js';
  const dot = pkg.exports && (pkg.exports['.'] || pkg.exports);
  if (dot) {
    const pick = (e) => (typeof e === 'string' ? e : e && (pick(e.import) || pick(e.node) || pick(e.default)));
    entry = pick(dot) || entry;
  }
  return import(pathToFileURL(path.join(path.dirname(pkgPath), entry)).href);
}

async function vitestApi(prims, requireFromApp) {
  const chai = await importFromApp(requireFromApp, 'chai');
  const ve = await importFromApp(requireFromApp, '@vitest/expect');
  const spy = await importFromApp(requireFromApp, '@vitest/spy');
  chai.use(ve.JestExtend);
  chai.use(ve.JestChaiExpect);
  chai.use(ve.JestAsymmetricMatchers);
  // vitest's createExpect, without a current test (no soft/poll/snapshot).
  const expect = (value, message) => {
    const { assertionCalls } = ve.getState(expect);
    ve.setState({ assertionCalls: assertionCalls + 1 }, expect);
    return chai.expect(value, message);
  };
  Object.assign(expect, chai.expect);
  Object.assign(expect, globalThis[ve.ASYMMETRIC_MATCHERS_OBJECT]);
  expect.getState = () => ve.getState(expect);
  expect.setState = (state) => ve.setState(state, expect);
  expect.extend = (matchers) => chai.expect.extend(expect, matchers);
  expect.unreachable = (message) => chai.assert.fail(`expected${message ? ` "${message}" ` : ' '}not to be reached`);
  chai.util.addMethod(expect, 'assertions', (n) => expect.setState({ expectedAssertionsNumber: n }));
  chai.util.addMethod(expect, 'hasAssertions', () => expect.setState({ isExpectingAssertions: true }));
  expect.extend(ve.customMatchers);
  Object.defineProperty(globalThis, ve.GLOBAL_EXPECT, { value: expect, writable: true, configurable: true });

  const { test, describe } = baseFunctions(prims);
  for (const [fn, base] of [[test, test], [test.skip, test.skip], [test.only, test.only],
    [describe, describe], [describe.skip, describe.skip], [describe.only, describe.only]]) {
    fn.each = vitestEach(base);
    fn.for = vitestEach(base, true);
  }
  const vi = guarded({
    fn: spy.fn, spyOn: spy.spyOn, isMockFunction: spy.isMockFunction,
    clearAllMocks: () => spy.mocks.forEach((m) => m.mockClear()),
    resetAllMocks: () => spy.mocks.forEach((m) => m.mockReset()),
    restoreAllMocks: () => spy.mocks.forEach((m) => m.mockRestore()),
  }, 'vi', prims);
  const it = guarded(test, 'test', prims);
  const globals = {
    describe: guarded(describe, 'describe', prims), suite: describe, test: it, it,
    expect, assert: chai.assert, vi, vitest: vi,
    beforeAll: prims.hook('before'), afterAll: prims.hook('after'),
    beforeEach: prims.hook('beforeEach'), afterEach: prims.hook('afterEach'),
  };
  return {
    globals,
    exports: { ...globals, chai },
    moduleNames: ['vitest'],
    // vitest passes the test context (no done callbacks) and the suite to beforeAll.
    callTest: (fn, name) => fn({ task: { name }, expect, skip: () => {
      throw new Error('context.skip() is not supported by the in-process runner');
    } }),
    callHook: (fn, name) => fn({ task: { name }, expect }),
    beforeTest(name) {
      expect.setState({ assertionCalls: 0, isExpectingAssertions: false, expectedAssertionsNumber: null,
        currentTestName: name });
    },
    afterTest() {
      const state = expect.getState();
      if (state.expectedAssertionsNumber !== null && state.expectedAssertionsNumber !== state.assertionCalls) {
        throw new Error(`expected number of assertions to be ${state.expectedAssertionsNumber}, but got ${state.assertionCalls}`);
      }
      if (state.isExpectingAssertions && state.assertionCalls === 0) {
        throw new Error('expected any number of assertion, but got none');
      }
    },
  };
}

// vitest's test.each / test.for titles: printf-style (%s %d %i %f %j %o %O %# %%) for arrays,
// $name / $a.b for objects. A title this does not reproduce gives a test id the reference does
// not have, and the dry run sends the task to the rebuild fallback.
function vitestEach(register, isFor = false) {
  return (table, ...rest) => {
    if (Array.isArray(table) && table.raw) throw new Error('template-literal tables are not supported by the in-process runner');
    return (title, fn, options) => {
      table.forEach((row, index) => {
        const args = Array.isArray(row) && !isFor ? row : [row];
        const name = formatTitle(String(title), args, index);
        register(name, (...ctx) => fn(...args, ...(isFor ? ctx : [])), options);
      });
    };
  };
}

function formatTitle(title, args, index) {
  let out = title.replace(/%#/g, String(index)).replace(/%\$/g, String(index + 1));
  if (args.length === 1 && args[0] && typeof args[0] === 'object' && !Array.isArray(args[0])) {
    out = out.replace(/\$([$\w.]+)/g, (m, key) => {
      let v = args[0];
      for (const k of key.split('.')) v = v == null ? undefined : v[k];
      return typeof v === 'string' ? v : util.inspect(v);
    });
  }
  let i = 0;
  out = out.replace(/%[sdifjoOp%]/g, (m) => {
    if (m === '%%') return '%';
    const v = args[i++];
    switch (m) {
      case '%s': return typeof v === 'string' ? v : util.inspect(v);
      case '%d': case '%i': return String(m === '%i' ? Math.trunc(Number(v)) : Number(v));
      case '%f': return String(Number(v));
      case '%j': return JSON.stringify(v);
      default: return util.inspect(v);
    }
  });
  return out;
}

module.exports = { install };
