// Runs every bench/*.bench.ts file of the package in the current directory, in turn, with
// Node's built-in type stripping: `pnpm bench` (all packages, through turbo, after a build) or
// `pnpm bench [name-filter]` inside one package. Benches import the package from dist/; those
// that need an emulator start it themselves through the testkit.
//
// Each bench records its figures in bench-results/<package>.json (scripts/bench-results.mjs): a
// run without a filter starts that file afresh, a filtered run merges the figures it measured.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { clearResults, packageOf } from './bench-results.mjs';

const packageDir = process.cwd();
const benchDir = join(packageDir, 'bench');
if (!existsSync(join(packageDir, 'dist', 'index.js'))) {
  console.error(`${packageDir}: dist/ is missing: run \`pnpm run build\` in this package first.`);
  process.exit(1);
}
const only = process.argv[2];
const files = readdirSync(benchDir)
  .filter((file) => file.endsWith('.bench.ts') && (only === undefined || file.includes(only)))
  .sort();
if (only === undefined) clearResults(packageOf(join(packageDir, 'package.json')));
let failed = false;
for (const file of files) {
  console.log(`\n=== ${file} ===`);
  const result = spawnSync(
    process.execPath,
    ['--experimental-strip-types', '--no-warnings', join(benchDir, file)],
    {
      stdio: 'inherit',
    },
  );
  failed ||= result.status !== 0;
}
process.exit(failed ? 1 : 0);
