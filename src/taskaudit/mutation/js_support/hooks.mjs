// Module resolution hooks of the warm worker (registered with module.register):
// 'node:test' resolves to the in-process runner (shim.mjs), 'vitest' / '@jest/globals' to
// runner_shim.mjs (jest/vitest suites), and every task file imported from a
// module loaded for generation N is loaded for generation N too (?taskaudit_g=N), so each mutant
// gets freshly evaluated ES modules.
const SHIM = new URL('./shim.mjs', import.meta.url).href;
const RUNNER_SHIM = new URL('./runner_shim.mjs', import.meta.url).href;
const FLAVOUR = process.env.TASKAUDIT_MUTATION_RUNNER || 'node';
const RUNNER_MODULES = { jest: ['@jest/globals'], vitest: ['vitest'] }[FLAVOUR] || [];
const HERE = new URL('./', import.meta.url).href;

export async function resolve(specifier, context, next) {
  if (FLAVOUR === 'node' && (specifier === 'node:test' || specifier === 'test')) return { url: SHIM, shortCircuit: true };
  if (RUNNER_MODULES.includes(specifier)) return { url: RUNNER_SHIM, shortCircuit: true };
  const resolved = await next(specifier, context);
  const parent = context.parentURL ? new URL(context.parentURL) : null;
  const generation = parent ? parent.searchParams.get('taskaudit_g') : null;
  if (generation && resolved.url.startsWith('file:') && !resolved.url.includes('/node_modules/') && !resolved.url.startsWith(HERE)) {
    const url = new URL(resolved.url);
    url.searchParams.set('taskaudit_g', generation);
    return { ...resolved, url: url.href };
  }
  return resolved;
}
