// Cost of finding a record's key group, against serializing its key alone (the baseline): the
// hash runs once per record, so it should add little to the serialization it needs anyway.

import { recordResult } from '../../../scripts/bench-results.mjs';
import { assignToKeyGroup } from '../dist/keygroup/key-group-assignment.js';
import { Serializers } from '../dist/serialization/serializers.js';
import { compare, printResults, sinkValue } from './harness.mjs';

const KEYS = 4096;
const keys = Array.from({ length: KEYS }, (_, i) => `user-${(i * 7919) % 1_000_000}`);
const keyBytes = keys.map((key) => Serializers.string.serialize(key));
const pick = (i: number): string => keys[i % KEYS] as string;

const results = compare({
  baseline: { name: 'serialize key (baseline)', run: (i) => Serializers.string.serialize(pick(i)).length },
  cases: [
    {
      name: 'serialize key + assignToKeyGroup',
      run: (i) => assignToKeyGroup(Serializers.string.serialize(pick(i)), 128),
    },
    {
      name: 'assignToKeyGroup on ready bytes',
      run: (i) => assignToKeyGroup(keyBytes[i % KEYS] as Uint8Array, 128),
    },
  ],
});
printResults('key group of a string key (user-NNNNNN), ratio against serializing the key alone', results);
recordResult({
  id: 'key-groups.serialize-and-assign.vs-serialize',
  label: 'serializing a string key and assigning its key group / serializing it alone (ops/s)',
  value: results[1]?.ratio ?? 0,
  unit: 'x',
  better: 'higher',
});
recordResult({
  id: 'key-groups.assign.ops',
  label: 'assignToKeyGroup on ready key bytes',
  value: results[2]?.opsPerSecond ?? 0,
  unit: 'ops/s',
  better: 'higher',
});

if (Number.isNaN(sinkValue())) console.log('unreachable');
