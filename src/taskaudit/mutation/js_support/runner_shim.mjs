// 'vitest' and '@jest/globals', as the warm worker provides them to ES-module test files
// (runner_api.cjs builds the API; hooks.mjs resolves the module names here).
const api = globalThis.__taskaudit_runner_api;
export const describe = api.describe;
export const suite = api.suite;
export const test = api.test;
export const it = api.it;
export const expect = api.expect;
export const assert = api.assert;
export const chai = api.chai;
export const vi = api.vi;
export const vitest = api.vitest;
export const jest = api.jest;
export const beforeAll = api.beforeAll;
export const afterAll = api.afterAll;
export const beforeEach = api.beforeEach;
export const afterEach = api.afterEach;
export const xit = api.xit;
export const xtest = api.xtest;
export const fit = api.fit;
export const xdescribe = api.xdescribe;
export const fdescribe = api.fdescribe;
