// Benchmark results as data. A bench prints its figures and also records each one here; they
// land in bench-results/<package>.json at the repository root (git-ignored), an array of
// { id, value, unit, better, goal?, label, detail?, at, load, cpus } in the order they were
// recorded. `scripts/bench-tables.mjs` (`pnpm bench:tables`) makes the README tables from them.
//
// An unfiltered `pnpm bench` of a package starts its file afresh (`clearResults`); a run with a
// name filter merges: it replaces the results of the ids it records and keeps the others.
// STATEBACKEND_BENCH_RESULTS_DIR puts the files elsewhere (the tests of this script use it).

import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const ID = /^[a-z0-9]+(?:[.-][a-z0-9]+)*$/;
const BETTER = new Set(['higher', 'lower']);

/** Where the result files go: bench-results/ at the repository root, unless overridden. */
export function resultsDir() {
  return process.env.STATEBACKEND_BENCH_RESULTS_DIR || join(root, 'bench-results');
}

/**
 * The short name of the package that `file` (a path inside it) belongs to: its package.json's
 * name without the scope, e.g. `aws-s3` for @statebackend/aws-s3.
 */
export function packageOf(file) {
  for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, 'utf8'));
      if (typeof name !== 'string') throw new Error(`${manifest} has no name`);
      return name.replace(/^@[^/]+\//, '');
    }
    if (dirname(dir) === dir) throw new Error(`no package.json above ${file}`);
  }
}

/** The results file of a package (by its short name). */
export function resultsFile(packageName) {
  return join(resultsDir(), `${packageName}.json`);
}

/** The recorded results of a package, or an empty array when it has none. */
export function readResults(packageName) {
  const file = resultsFile(packageName);
  if (!existsSync(file)) return [];
  const results = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(results)) throw new Error(`${file} does not hold an array of results`);
  return results;
}

/** Removes a package's results: an unfiltered bench run starts from none. */
export function clearResults(packageName) {
  rmSync(resultsFile(packageName), { force: true });
}

function validate(result) {
  const { id, label, value, unit, better, goal, detail } = result;
  const problems = [];
  if (typeof id !== 'string' || !ID.test(id))
    problems.push(`id ${JSON.stringify(id)} (lower-case words joined by . or -)`);
  if (typeof label !== 'string' || label === '') problems.push('label (what the figure measures)');
  if (typeof value !== 'number' || !Number.isFinite(value)) problems.push(`value ${value} (a finite number)`);
  if (typeof unit !== 'string') problems.push(`unit ${unit}`);
  if (!BETTER.has(better)) problems.push(`better ${JSON.stringify(better)} ("higher" or "lower")`);
  if (goal !== undefined && (typeof goal !== 'number' || !Number.isFinite(goal)))
    problems.push(`goal ${goal}`);
  if (detail !== undefined && typeof detail !== 'string') problems.push(`detail ${detail}`);
  if (problems.length > 0) {
    throw new TypeError(`bench result ${JSON.stringify(id)}: invalid ${problems.join(', ')}`);
  }
}

/**
 * Records one figure of the running bench into its package's results file, replacing an
 * earlier result of the same id. `value` is kept to 6 significant digits; `goal`, when given,
 * is met when `value` is at least it (`better: 'higher'`) or at most it (`'lower'`).
 *
 * `packageName` defaults to the package of the script being run (process.argv[1]).
 */
export function recordResult(result, packageName = packageOf(process.argv[1] ?? process.cwd())) {
  validate(result);
  const entry = {
    id: result.id,
    value: Number(result.value.toPrecision(6)),
    unit: result.unit,
    better: result.better,
    ...(result.goal === undefined ? {} : { goal: result.goal }),
    label: result.label,
    ...(result.detail === undefined ? {} : { detail: result.detail }),
    at: new Date().toISOString(),
    load: Number(loadavg()[0].toFixed(2)),
    cpus: availableParallelism(),
  };
  const results = readResults(packageName);
  const index = results.findIndex((r) => r.id === entry.id);
  if (index === -1) results.push(entry);
  else results[index] = entry;
  const file = resultsFile(packageName);
  mkdirSync(dirname(file), { recursive: true });
  // Written whole, then renamed: a bench killed half-way leaves the previous file, not half of one.
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(temporary, file);
  return entry;
}

/** Whether a result meets its goal; undefined when it has none. */
export function meetsGoal(result) {
  if (result.goal === undefined) return undefined;
  return result.better === 'higher' ? result.value >= result.goal : result.value <= result.goal;
}
