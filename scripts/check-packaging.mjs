// Proves that "npm install one backend" works: every published package is packed with
// `pnpm pack`, installed with npm into an empty project outside the workspace, and each entry
// point of its exports map loaded there with `import` and with `require` (Node 22+ can require
// ES modules).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
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

function mapFiles(dir) {
  return readdirSync(dir, { recursive: true })
    .filter((f) => f.endsWith('.map'))
    .map((f) => join(dir, f));
}

/** The lowest Node.js version a `>=X[.Y[.Z]]` range accepts, as [X, Y, Z]. */
function lowestNode(manifest) {
  const match = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(manifest.engines?.node ?? '');
  assert.ok(match, `${manifest.name}: engines.node should be '>=X.Y', not ${manifest.engines?.node}`);
  return [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)];
}

describe('package manifests agree with each other', () => {
  const byName = new Map(published.map((p) => [p.manifest.name, p.manifest]));
  for (const { manifest } of published) {
    it(`${manifest.name} requires at least the Node.js its @statebackend dependencies require`, () => {
      const own = lowestNode(manifest);
      for (const dep of Object.keys(manifest.dependencies ?? {})) {
        const depManifest = byName.get(dep);
        if (depManifest === undefined) continue;
        const theirs = lowestNode(depManifest);
        const cmp = own[0] - theirs[0] || own[1] - theirs[1] || own[2] - theirs[2];
        assert.ok(
          cmp >= 0,
          `${manifest.name} says node ${manifest.engines.node}, ${dep} needs ${depManifest.engines.node}`,
        );
      }
    });
  }
});

describe('published packages install and load outside the workspace', () => {
  for (const { manifest } of published) {
    it(`${manifest.name} installs with npm and loads each entry point with import and require`, () => {
      const project = join(work, manifest.name.replace('/', '__'));
      mkdirSync(project, { recursive: true });
      writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
      const workspaceDeps = Object.keys(manifest.dependencies ?? {}).filter((d) =>
        d.startsWith('@statebackend/'),
      );
      // Peers of this repository (optional ones, such as @statebackend/kafka's DynamoDB subpath)
      // install from their tarballs too.
      const peers = Object.keys(manifest.peerDependencies ?? {}).map((peer) =>
        peer.startsWith('@statebackend/')
          ? tarballOf(peer)
          : `${peer}@${manifest.devDependencies?.[peer] ?? manifest.peerDependencies[peer]}`,
      );
      const specs = [tarballOf(manifest.name), ...workspaceDeps.map(tarballOf), ...peers];
      run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', ...specs], project);

      // Every entry point of the exports map (`.` and subpaths such as `./spi`), each with import
      // and with require.
      const entryPoints = Object.keys(manifest.exports ?? { '.': null }).filter(
        (p) => p !== './package.json',
      );
      assert.ok(entryPoints.includes('.'), `${manifest.name}: no "." in its exports`);
      for (const entryPoint of entryPoints) {
        const name = JSON.stringify(`${manifest.name}${entryPoint.slice(1)}`);
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
        assert.ok(JSON.parse(esm).length > 0, `${name} exports nothing`);
        assert.deepEqual(JSON.parse(cjs), JSON.parse(esm), 'import and require expose the same exports');
      }

      // Every source map shipped points to sources shipped with it.
      const installed = join(project, 'node_modules', ...manifest.name.split('/'));
      const missing = [];
      for (const map of mapFiles(join(installed, 'dist'))) {
        const { sources = [] } = JSON.parse(readFileSync(map, 'utf8'));
        for (const source of sources) {
          if (!existsSync(resolve(dirname(map), source)))
            missing.push(`${map.slice(installed.length)} -> ${source}`);
        }
      }
      assert.deepEqual(missing, [], 'source maps point to files the package does not ship');
    });
  }
});
