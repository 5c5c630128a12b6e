// node:test, as the warm worker's in-process runner provides it to ES-module test files
// (worker.cjs sets globalThis.__taskaudit_node_test before any test file loads; hooks.mjs
// resolves 'node:test' here).
const api = globalThis.__taskaudit_node_test;
export const test = api.test;
export const it = api.it;
export const describe = api.describe;
export const suite = api.suite;
export const before = api.before;
export const after = api.after;
export const beforeEach = api.beforeEach;
export const afterEach = api.afterEach;
export const mock = api.mock;
export const run = api.run;
export default api.test;
