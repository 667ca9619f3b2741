// Runs every bench/*.bench.ts file in turn with Node's built-in type stripping, as aws-base's
// runner does. The benches import the package from dist/, so build first (`pnpm run build`).
// Each bench starts its own moto server through the testkit and stops it at the end.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
if (!existsSync(join(benchDir, '..', 'dist', 'index.js'))) {
  console.error('dist/ is missing: run `pnpm run build` in this package first.');
  process.exit(1);
}
const only = process.argv[2];
const files = readdirSync(benchDir)
  .filter((file) => file.endsWith('.bench.ts') && (only === undefined || file.includes(only)))
  .sort();
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
