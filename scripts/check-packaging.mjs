// Proves that "npm install one backend" works: every published package is packed with
// `pnpm pack`, installed with npm into an empty project outside the workspace, and loaded
// there with `import` and with `require` (Node 22+ can require ES modules).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = resolve(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'statebackend-packaging-'));
const tarballs = join(work, 'tarballs');

const published = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), manifest: readManifest(join(root, 'packages', dir)) }))
  .filter((p) => p.manifest !== undefined && p.manifest.private !== true);

function readManifest(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}

function run(cmd, args, cwd) {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function tarballOf(name) {
  const file = readdirSync(tarballs).find((f) => f.startsWith(`${name.replace('@', '').replace('/', '-')}-`));
  assert.ok(file, `no tarball packed for ${name}`);
  return join(tarballs, file);
}

before(() => {
  mkdirSync(tarballs, { recursive: true });
  for (const p of published) run('pnpm', ['pack', '--pack-destination', tarballs], p.dir);
});

after(() => rmSync(work, { recursive: true, force: true }));

describe('published packages install and load outside the workspace', () => {
  for (const { manifest } of published) {
    it(`${manifest.name} installs with npm and loads with import and require`, () => {
      const project = join(work, manifest.name.replace('/', '__'));
      mkdirSync(project, { recursive: true });
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
      const workspaceDeps = Object.keys(manifest.dependencies ?? {}).filter((d) =>
        d.startsWith('@statebackend/'),
      );
      const peers = Object.keys(manifest.peerDependencies ?? {}).map(
        (peer) => `${peer}@${manifest.devDependencies?.[peer] ?? manifest.peerDependencies[peer]}`,
      );
      const specs = [tarballOf(manifest.name), ...workspaceDeps.map(tarballOf), ...peers];
      run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], project);

      const name = JSON.stringify(manifest.name);
      const esm = run(
        'node',
        [
          '--input-type=module',
          '-e',
          `const m = await import(${name}); console.log(JSON.stringify(Object.keys(m).sort()));`,
        ],
        project,
      );
      const cjs = run(
        'node',
        [
          '-e',
          `const m = require(${name}); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'module.exports').sort()));`,
        ],
        project,
      );
      assert.deepEqual(JSON.parse(cjs), JSON.parse(esm), 'import and require expose the same exports');
    });
  }
});
