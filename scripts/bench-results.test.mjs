// The bench results files and the README tables made from them:
//   node --test scripts/bench-results.test.mjs   (root `pnpm test` runs it: test:bench-results)

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'bench-results-test-'));
process.env.STATEBACKEND_BENCH_RESULTS_DIR = dir;
const { clearResults, packageOf, readResults, recordResult } = await import('./bench-results.mjs');
const { formatGoal, formatValue, regenerate } = await import('./bench-tables.mjs');

after(() => rmSync(dir, { recursive: true, force: true }));

const figure = (id, value, extra = {}) => ({
  id,
  label: `figure ${id}`,
  value,
  unit: 'x',
  better: 'higher',
  ...extra,
});

describe('recordResult', () => {
  beforeEach(() => clearResults('demo'));

  it('appends new ids in order and replaces a re-measured one in place', () => {
    recordResult(figure('a.one', 1), 'demo');
    recordResult(figure('a.two', 2), 'demo');
    recordResult(figure('a.one', 1.5), 'demo');
    assert.deepEqual(
      readResults('demo').map((r) => [r.id, r.value]),
      [
        ['a.one', 1.5],
        ['a.two', 2],
      ],
    );
  });

  it('keeps 6 significant digits and records when, under what load, on how many cores', () => {
    const recorded = recordResult(figure('a.one', 0.123456789, { goal: 0.7 }), 'demo');
    assert.equal(recorded.value, 0.123457);
    assert.equal(recorded.goal, 0.7);
    assert.match(recorded.at, /^\d{4}-\d\d-\d\dT/);
    assert.equal(typeof recorded.load, 'number');
    assert.ok(recorded.cpus >= 1);
  });

  it('rejects a figure without a valid id, value or direction, naming what is wrong', () => {
    assert.throws(() => recordResult(figure('Bad Id', 1), 'demo'), /invalid id "Bad Id"/);
    assert.throws(() => recordResult(figure('a.nan', Number.NaN), 'demo'), /invalid value NaN/);
    assert.throws(() => recordResult(figure('a.b', 1, { better: 'more' }), 'demo'), /invalid better "more"/);
    assert.deepEqual(readResults('demo'), []);
  });

  it('names the package by its package.json without the scope', () => {
    assert.equal(packageOf(join(import.meta.dirname, '..', 'packages', 'kafka', 'bench', 'x.ts')), 'kafka');
  });
});

describe('README tables', () => {
  const results = {
    demo: [
      {
        ...figure('s3.restore.vs-download', 0.0712, { goal: 0.7, detail: '721 ms vs 52 ms' }),
        at: '2026-12-04T10:00:00Z',
        load: 2.5,
        cpus: 2,
      },
      {
        ...figure('s3.checkpoint.lost', 76.66, { unit: '%', better: 'lower', goal: 25 }),
        at: '2026-12-04T10:01:00Z',
        load: 3.1,
        cpus: 2,
      },
      { ...figure('other.rate', 123456.7, { unit: 'ops/s' }), at: '2026-12-04T10:02:00Z', load: 3, cpus: 2 },
    ],
  };
  const load = (name) => results[name] ?? [];

  it('formats values and goals by unit and direction', () => {
    assert.equal(formatValue(0.0712, 'x'), '0.071x');
    assert.equal(formatValue(76.66, '%'), '76.7%');
    assert.equal(formatValue(1234.4, 'ms'), '1,234 ms');
    assert.equal(formatGoal(results.demo[0]), '≥ 0.7x: **not met**');
    assert.equal(formatGoal({ ...results.demo[1], value: 20 }), '≤ 25%: met');
    assert.equal(formatGoal(results.demo[2]), '—');
  });

  it('replaces what lies between the markers with the results of the given prefixes, in order', () => {
    const text = 'intro\n<!-- bench:demo s3. -->\nold table\n<!-- /bench -->\nafter\n';
    const { text: updated, shown, warnings } = regenerate(text, load);
    assert.deepEqual(warnings, []);
    assert.deepEqual([...shown], ['demo:s3.restore.vs-download', 'demo:s3.checkpoint.lost']);
    assert.ok(updated.startsWith('intro\n<!-- bench:demo s3. -->\n\n| figure | value | goal | id |\n'));
    assert.ok(updated.endsWith('\n\n<!-- /bench -->\nafter\n'));
    assert.ok(!updated.includes('old table'));
    assert.ok(!updated.includes('other.rate'));
    assert.match(
      updated,
      /\| figure s3.restore.vs-download \| 0.071x \(721 ms vs 52 ms\) \| ≥ 0.7x: \*\*not met\*\* \| `s3.restore.vs-download` \|/,
    );
    assert.match(updated, /on a 2-core machine, 2026-12-04, load average 2.5–3.1 while it measured/);
    // Regenerating what was generated changes nothing.
    assert.equal(regenerate(updated, load).text, updated);
  });

  it('leaves a block whose package has no results as it was, with a warning', () => {
    const text = '<!-- bench:missing -->\nkept\n<!-- /bench -->\n';
    const { text: updated, warnings } = regenerate(text, load);
    assert.equal(updated, text);
    assert.match(warnings[0] ?? '', /no results in bench-results\/missing.json/);
  });
});
