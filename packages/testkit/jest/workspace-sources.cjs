// Jest loads a global setup module with Node's own `require` (plus a transform hook for
// TypeScript), not through its module registry, so the project's `moduleNameMapper` does not
// apply there. The testkit's sources import each other as `./x.js` (the files are `x.ts`) and
// import `@statebackend/aws-base` (which must resolve to its sources, not a stale build), so
// while the testkit's setup or teardown runs, Node's resolver is taught the same mapping.
const Module = require('node:module');
const path = require('node:path');

const nodeModules = `${path.sep}node_modules${path.sep}`;

/**
 * Applies the jest project's moduleNameMapper to `require` calls made from files outside
 * node_modules, runs `action`, and restores Node's resolver.
 *
 * @template T
 * @param {ReadonlyArray<[string, string | string[]]> | undefined} moduleNameMapper from the jest ProjectConfig
 * @param {() => Promise<T>} action
 * @returns {Promise<T>}
 */
async function withWorkspaceSources(moduleNameMapper, action) {
  const rules = (moduleNameMapper ?? []).map(([pattern, replacement]) => [
    new RegExp(pattern),
    Array.isArray(replacement) ? replacement : [replacement],
  ]);
  const original = Module._resolveFilename;
  Module._resolveFilename = function resolveWithMapper(request, parent, ...rest) {
    if (parent?.filename && !parent.filename.includes(nodeModules)) {
      for (const [regex, replacements] of rules) {
        if (!regex.test(request)) continue;
        for (const replacement of replacements) {
          try {
            return original.call(this, request.replace(regex, replacement), parent, ...rest);
          } catch {
            // Try the next replacement, then Node's own resolution.
          }
        }
      }
    }
    return original.call(this, request, parent, ...rest);
  };
  try {
    return await action();
  } finally {
    Module._resolveFilename = original;
  }
}

module.exports = { withWorkspaceSources };
