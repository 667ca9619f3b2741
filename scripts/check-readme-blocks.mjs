// Every TypeScript block of every README is a program a user can paste: this check extracts
// them, type-checks them all in one strict tsc program against the built packages (installed in
// a project outside the workspace, as a user's would be), and runs each runnable one twice in a
// row against the emulators the testkit starts (quick starts must work when run again).
//
// Conventions (the root README's "Contributing" says the same):
// - A ```ts block is a complete program (ESM, top-level await allowed).
// - ```ts fragment (or `<!-- fragment -->` on the line before the fence) continues the last
//   complete block of the same README: it is checked, and run, appended to it.
// - ```ts no-run (or `<!-- no-run -->`) is type-checked only: say in the text why it cannot run.
// - ```yaml file=<name> (or `<!-- file: <name> -->`) is written as <name> into the working
//   directory of the programs that follow it in the same README.
// - ```ts stop-after=<seconds> is a program that runs until SIGTERM (a worker): each run gets
//   SIGTERM after that many seconds and must then exit with code 0.
// - Every ```yaml block must parse as an aws-base Configuration (Flink-style YAML).
// Programs run with AWS_ENDPOINT_URL pointing at the emulator (the AWS SDK reads it), test
// credentials in the environment, and the bucket `my-state` created. Each runs in a directory of
// its own, twice, with 60 s per run. When a program of packages/kafka/README.md is selected, one
// Apache Kafka broker is started as well (the testkit's, or the one STATEBACKEND_KAFKA_BOOTSTRAP
// names), its address is in KAFKA_BROKERS, and the topics that README names are created
// (KAFKA_TOPICS below).
//
//   node --test scripts/check-readme-blocks.mjs        (root `pnpm test` runs it: test:readme)
//   STATEBACKEND_README_BLOCKS_ONLY=<substring> narrows the programs run (type-checking always covers all);
//   STATEBACKEND_README_BLOCKS_VERBOSE=1 shows what each run printed;
//   STATEBACKEND_README_BLOCKS_EMULATOR=ministack runs them against ministack instead of moto.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';

const root = resolve(import.meta.dirname, '..');
const RUN_TIMEOUT_MS = 60_000;
/** moto by default; `STATEBACKEND_README_BLOCKS_EMULATOR=ministack` runs them on the other one. */
const EMULATOR = process.env.STATEBACKEND_README_BLOCKS_EMULATOR ?? 'moto';
const TS_LANGUAGES = new Set(['ts', 'typescript', 'mts']);
/** The README whose programs need a Kafka broker, and the topics they name (partitions each). */
const KAFKA_README = join('packages', 'kafka', 'README.md');
const KAFKA_TOPICS = [
  { name: 'clicks', partitions: 12 },
  { name: 'click-counts', partitions: 3 },
  { name: 'clicks-raw', partitions: 4 },
  { name: 'clicks-by-user', partitions: 128 },
];

/** The READMEs checked: the root one and every package's. */
function readmes() {
  const files = [join(root, 'README.md')];
  for (const dir of readdirSync(join(root, 'packages')).sort()) {
    const file = join(root, 'packages', dir, 'README.md');
    if (existsSync(file)) files.push(file);
  }
  return files;
}

/**
 * The fenced blocks of a Markdown file, with the flags of their info string and of an HTML
 * comment on the line before the fence.
 */
function fencedBlocks(text) {
  const lines = text.split('\n');
  const blocks = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)\s*(.*)$/.exec(lines[i]);
    if (open === null) continue;
    const [, indent, fence, language, rest] = open;
    const body = [];
    let j = i + 1;
    const close = new RegExp(`^\\s*${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`);
    while (j < lines.length && !close.test(lines[j])) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
      j++;
    }
    const flags = new Set(rest.split(/\s+/).filter((f) => f !== '' && !f.includes('=')));
    const attributes = Object.fromEntries(
      rest
        .split(/\s+/)
        .filter((f) => f.includes('='))
        .map((f) => [f.slice(0, f.indexOf('=')), f.slice(f.indexOf('=') + 1)]),
    );
    let k = i - 1;
    while (k >= 0 && lines[k].trim() === '') k--;
    const comment = k >= 0 ? /^\s*<!--\s*(.*?)\s*-->\s*$/.exec(lines[k]) : null;
    if (comment !== null) {
      const directive = /^file:\s*(\S+)$/.exec(comment[1]);
      const flag = /^(fragment|no-run)\b/.exec(comment[1]);
      if (directive !== null) attributes.file = directive[1];
      else if (flag !== null) flags.add(flag[1]);
    }
    blocks.push({ language: language.toLowerCase(), flags, attributes, line: i + 2, body: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** The programs of all READMEs: each complete block with the fragments that follow it. */
function collectPrograms() {
  const programs = [];
  const yamlBlocks = [];
  let blockCount = 0;
  for (const readme of readmes()) {
    const name = relative(root, readme);
    const slug = name.replace(/\/README\.md$|README\.md$/, '').replace(/[^a-z0-9]+/gi, '-') || 'root';
    const files = [];
    let current;
    for (const block of fencedBlocks(readFileSync(readme, 'utf8'))) {
      if (block.language === 'yaml' || block.language === 'yml') yamlBlocks.push({ readme: name, block });
      if (block.attributes.file !== undefined) {
        files.push({ name: block.attributes.file, content: `${block.body}\n` });
        continue;
      }
      if (!TS_LANGUAGES.has(block.language)) continue;
      blockCount++;
      if (block.flags.has('fragment')) {
        assert.ok(
          current,
          `${name}:${block.line}: a fragment must follow a complete block of the same README`,
        );
        current.parts.push(block);
        if (block.flags.has('no-run')) current.run = false;
        continue;
      }
      current = {
        id: `${slug}-${block.line}`,
        readme: name,
        parts: [block],
        files: [...files],
        run: !block.flags.has('no-run'),
        stopAfterMs:
          block.attributes['stop-after'] === undefined
            ? undefined
            : Number(block.attributes['stop-after']) * 1000,
      };
      programs.push(current);
    }
  }
  return { programs, blockCount, yamlBlocks };
}

/** Source of a program, and for each of its lines the README line it came from. */
function programSource(program) {
  const lines = [];
  const origin = [];
  for (const part of program.parts) {
    part.body.split('\n').forEach((line, index) => {
      lines.push(line);
      origin.push(`${program.readme}:${part.line + index}`);
    });
  }
  return { text: `${lines.join('\n')}\n`, origin };
}

function link(target, path) {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(realpathSync(target), path, 'dir');
}

/**
 * A project outside the workspace that has the built packages and the AWS SDK clients installed,
 * as a user's project has them after `npm install`.
 */
function createProject(dir) {
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'readme-blocks', private: true, type: 'module' }),
  );
  const modules = join(dir, 'node_modules');
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'));
    link(join(root, 'packages', pkg), join(modules, manifest.name));
  }
  // The testkit's README shows a jest test file.
  const store = join(root, 'node_modules', '.pnpm');
  const jestGlobals = readdirSync(store).find((d) => d.startsWith('@jest+globals@'));
  if (jestGlobals !== undefined)
    link(join(store, jestGlobals, 'node_modules', '@jest', 'globals'), join(modules, '@jest', 'globals'));
  // What a user installs beside the packages (their peer dependencies, the AWS SDK clients), and
  // what a README may import from a package's own dependencies: every package's declared
  // dependencies, as its node_modules holds them (pnpm links only those).
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const manifest = JSON.parse(readFileSync(join(root, 'packages', pkg, 'package.json'), 'utf8'));
    const names = Object.keys({
      ...manifest.dependencies,
      ...manifest.peerDependencies,
      ...manifest.devDependencies,
    }).filter((name) => !name.startsWith('@statebackend/'));
    for (const name of names) {
      const source = join(root, 'packages', pkg, 'node_modules', ...name.split('/'));
      const target = join(modules, ...name.split('/'));
      if (existsSync(source)) link(source, target);
    }
  }
  link(join(root, 'node_modules', '@types', 'node'), join(modules, '@types', 'node'));
  // What only the READMEs use (the AWS CDK of the operations guides, the MSK signer): root
  // devDependencies.
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const name of Object.keys(rootManifest.devDependencies ?? {})) {
    const source = join(root, 'node_modules', ...name.split('/'));
    if (existsSync(source)) link(source, join(modules, ...name.split('/')));
  }
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2023',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          moduleDetection: 'force',
          types: ['node'],
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: true,
          rootDir: 'blocks',
          outDir: 'out',
          sourceMap: true,
        },
        include: ['blocks/*.ts'],
      },
      null,
      2,
    ),
  );
}

/** tsc's diagnostics, each with the README line of its block. */
function typeCheck(dir, origins) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], {
      cwd: dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return [];
  } catch (error) {
    const output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
    return output
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const match = /^blocks\/(.+)\.ts\((\d+),(\d+)\): (.*)$/.exec(line);
        if (match === null) return line;
        const where = origins.get(match[1])?.[Number(match[2]) - 1] ?? `${match[1]}:${match[2]}`;
        return `${where}:${match[3]} ${match[4]}`;
      });
  }
}

/**
 * Runs `file` with node in `cwd`; resolves with its exit code and output. With `stopAfterMs`, the
 * program gets SIGTERM after that long (a worker that runs until it is told to stop).
 */
function runProgram(file, cwd, env, stopAfterMs) {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--enable-source-maps', file], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    const stop = stopAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGTERM'), stopAfterMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(stop);
      resolvePromise({ code, signal, output });
    });
  });
}

const { programs, blockCount, yamlBlocks } = collectPrograms();
const work = mkdtempSync(join(tmpdir(), 'statebackend-readme-blocks-'));
const origins = new Map();
let emulator;
let kafka;
let typeErrors;

let setupError;
before(async () => {
  try {
    await setUp();
  } catch (error) {
    // node:test cancels the tests of a failed hook without saying why: the tests report it.
    setupError = error;
  }
});

async function setUp() {
  createProject(work);
  mkdirSync(join(work, 'blocks'));
  for (const program of programs) {
    const { text, origin } = programSource(program);
    writeFileSync(join(work, 'blocks', `${program.id}.ts`), text);
    origins.set(program.id, origin);
  }
  typeErrors = typeCheck(work, origins);
  const { startEmulator } = await import(join(root, 'packages', 'testkit', 'dist', 'index.js'));
  emulator = await startEmulator(EMULATOR);
  const { S3Client, CreateBucketCommand } = await import(
    join(work, 'node_modules', '@aws-sdk', 'client-s3', 'dist-cjs', 'index.js')
  );
  const s3 = new S3Client({
    region: 'eu-west-1',
    endpoint: emulator.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await s3.send(
    new CreateBucketCommand({
      Bucket: 'my-state',
      CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
    }),
  );
  s3.destroy();
  const only = process.env.STATEBACKEND_README_BLOCKS_ONLY;
  const needsKafka = programs.some(
    (p) => p.run && p.readme === KAFKA_README && (only === undefined || p.id.includes(only)),
  );
  if (needsKafka) kafka = await startKafka();
}

/** One broker for the Kafka README's programs, with the topics they name. */
async function startKafka() {
  const testkit = await import(join(root, 'packages', 'testkit', 'dist', 'index.js'));
  const given = process.env[testkit.KAFKA_BOOTSTRAP_ENV];
  const broker =
    given === undefined || given === ''
      ? await testkit.startKafkaBroker({})
      : { bootstrap: given, stop: async () => undefined };
  const { Admin } = await import(join(work, 'node_modules', '@platformatic', 'kafka', 'dist', 'index.js'));
  const admin = new Admin({ clientId: 'readme-blocks', bootstrapBrokers: [broker.bootstrap] });
  try {
    const existing = new Set(await admin.listTopics());
    for (const { name, partitions } of KAFKA_TOPICS) {
      if (!existing.has(name)) await admin.createTopics({ topics: [name], partitions, replicas: 1 });
    }
  } finally {
    await admin.close();
  }
  return broker;
}

after(async () => {
  await kafka?.stop();
  await emulator?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('README blocks', () => {
  const runnable = programs.filter((p) => p.run);
  const only = process.env.STATEBACKEND_README_BLOCKS_ONLY;
  const selected = runnable.filter((p) => only === undefined || p.id.includes(only));
  const blocksRun = runnable.reduce((n, p) => n + p.parts.length, 0);

  it(`${blockCount} TypeScript blocks in ${programs.length} programs type-check (strict, exactOptionalPropertyTypes)`, () => {
    if (setupError !== undefined) throw setupError;
    assert.ok(blockCount > 0, 'no TypeScript block found');
    assert.deepEqual(typeErrors, [], `README blocks do not type-check:\n${typeErrors.join('\n')}`);
    console.log(
      `readme blocks: ${blockCount} blocks, ${blockCount} type-check, ${blocksRun} in ${runnable.length} runnable programs`,
    );
  });

  it(`${yamlBlocks.length} YAML blocks are configurations aws-base reads`, async () => {
    const { Configuration } = await import(
      join(root, 'packages', 'statebackend-aws-base', 'dist', 'index.js')
    );
    const failures = [];
    for (const { readme, block } of yamlBlocks) {
      try {
        Configuration.fromYaml(block.body);
      } catch (error) {
        failures.push(`${readme}:${block.line}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  for (const program of selected) {
    const first = program.parts[0];
    const label = `${program.readme}:${first.line}${program.parts.length > 1 ? ` (+${program.parts.length - 1} fragments)` : ''}`;
    const against = program.readme === KAFKA_README ? `${EMULATOR} and a Kafka broker` : EMULATOR;
    it(`${label} runs twice against ${against}`, async (t) => {
      if (setupError !== undefined) throw setupError;
      assert.equal(typeErrors.length, 0, 'the blocks do not type-check: see the type-check test');
      const cwd = join(work, 'run', program.id);
      mkdirSync(cwd, { recursive: true });
      for (const file of program.files) writeFileSync(join(cwd, file.name), file.content);
      const env = {
        PATH: process.env.PATH,
        HOME: cwd,
        AWS_ENDPOINT_URL: emulator.endpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'eu-west-1',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...(kafka === undefined ? {} : { KAFKA_BROKERS: kafka.bootstrap }),
      };
      const js = join(work, 'out', `${program.id}.js`);
      for (const attempt of ['first', 'second']) {
        const run = await runProgram(js, cwd, env, program.stopAfterMs);
        if (process.env.STATEBACKEND_README_BLOCKS_VERBOSE !== undefined)
          t.diagnostic(`${attempt} run:\n${run.output}`);
        assert.equal(
          run.code,
          0,
          `${label}: the ${attempt} run ended with ${run.signal ?? `exit code ${run.code}`}:\n${run.output}`,
        );
      }
    });
  }
});
