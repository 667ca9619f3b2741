// Serialize and deserialize throughput of the msgpack default against JSON (the baseline) and
// v8.serialize, on a realistic click-event record. Run with `pnpm bench` (builds first).
import { deserialize as v8Deserialize, serialize as v8Serialize } from 'node:v8';
import { recordResult } from '../../../scripts/bench-results.mjs';
import { MsgpackSerializer } from '../dist/serialization/msgpack-serializer.js';
import { Serializers } from '../dist/serialization/serializers.js';
import type { TypeSerializer } from '../dist/serialization/type-serializer.js';
import { type BenchCase, type BenchResult, compare, printResults, sinkValue } from './harness.mjs';

interface ClickEvent {
  userId: string;
  page: string;
  timestamp: number;
  referrer: string | null;
  session: { id: string; startedAt: number; pageViews: number; campaign: string | null };
  device: { type: string; os: string; browser: string; screen: { width: number; height: number } };
  geo: { country: string; city: string };
  tags: string[];
  cart: { items: number; value: number };
}

const PAGES = ['/', '/products/42', '/products/42/reviews', '/cart', '/checkout', '/search'];
const RECORDS = 1024;

function clickEvent(i: number): ClickEvent {
  return {
    userId: `user-${(i * 7919) % 100_000}`,
    page: PAGES[i % PAGES.length] ?? '/',
    timestamp: 1_700_000_000_000 + i * 137,
    referrer: i % 3 === 0 ? null : 'https://www.example.com/search?q=running+shoes',
    session: {
      id: `s-${(i * 104_729).toString(16)}`,
      startedAt: 1_699_999_000_000 + i,
      pageViews: i % 23,
      campaign: i % 5 === 0 ? 'spring-sale' : null,
    },
    device: { type: 'mobile', os: 'iOS 17.4', browser: 'Safari', screen: { width: 390, height: 844 } },
    geo: { country: 'DE', city: 'Berlin' },
    tags: i % 2 === 0 ? ['promo', 'returning'] : ['organic'],
    cart: { items: i % 4, value: (i % 4) * 24.95 },
  };
}

const events = Array.from({ length: RECORDS }, (_, i) => clickEvent(i));
const pick = (i: number): ClickEvent => events[i % RECORDS] as ClickEvent;

const json = Serializers.json<ClickEvent>();
const serializers: ReadonlyArray<[string, TypeSerializer<ClickEvent>]> = [
  ['msgpack (default)', Serializers.msgpack<ClickEvent>()],
  ['msgpack { deterministic: true }', new MsgpackSerializer<ClickEvent>({ deterministic: true })],
  ['msgpack { preserveMaps: true }', new MsgpackSerializer<ClickEvent>({ preserveMaps: true })],
];
/** Each case's id in bench-results and its name, in the order of the cases (JSON, the baseline, first). */
const ids = ['json', 'msgpack', 'msgpack-deterministic', 'msgpack-preserve-maps', 'v8'];
const names = ['JSON', ...serializers.map(([name]) => name), 'v8.serialize'];

const serializeCase = (name: string, serializer: TypeSerializer<ClickEvent>): BenchCase => ({
  name,
  run: (i) => serializer.serialize(pick(i)).length,
});

const deserializeCase = (name: string, serializer: TypeSerializer<ClickEvent>): BenchCase => {
  const encoded = events.map((event) => serializer.serialize(event));
  return { name, run: (i) => serializer.deserialize(encoded[i % RECORDS] as Uint8Array).timestamp };
};

const v8Encoded = events.map((event) => v8Serialize(event));

console.log(`Node ${process.version}, ${RECORDS} distinct click events`);
console.log(
  `bytes per record: json ${json.serialize(pick(1)).length}, ` +
    serializers.map(([name, s]) => `${name} ${s.serialize(pick(1)).length}`).join(', ') +
    `, v8.serialize ${v8Serialize(pick(1)).length}`,
);

const serialized = compare({
  baseline: serializeCase('json (baseline)', json),
  cases: [
    ...serializers.map(([name, serializer]) => serializeCase(name, serializer)),
    { name: 'v8.serialize', run: (i) => v8Serialize(pick(i)).length },
  ],
});
printResults('serialize (record → bytes), ratio against JSON', serialized);

const deserialized = compare({
  baseline: deserializeCase('json (baseline)', json),
  cases: [
    ...serializers.map(([name, serializer]) => deserializeCase(name, serializer)),
    {
      name: 'v8.deserialize',
      run: (i) => (v8Deserialize(v8Encoded[i % RECORDS] as Buffer) as ClickEvent).timestamp,
    },
  ],
});
printResults('deserialize (bytes → record), ratio against JSON', deserialized);

const record = (direction: 'serialize' | 'deserialize', results: readonly BenchResult[]): void => {
  for (const [index, result] of results.entries()) {
    if (index === 0) continue; // the JSON baseline, 1x by definition
    recordResult({
      id: `serializers.${direction}.${ids[index]}.vs-json`,
      label: `${direction} a click event: ${result.name} / JSON (ops/s)`,
      value: result.ratio,
      unit: 'x',
      better: 'higher',
    });
  }
};
record('serialize', serialized);
record('deserialize', deserialized);
for (const [index, bytes] of [
  json.serialize(pick(1)).length,
  ...serializers.map(([, s]) => s.serialize(pick(1)).length),
  v8Serialize(pick(1)).length,
].entries()) {
  recordResult({
    id: `serializers.bytes.${ids[index]}`,
    label: `bytes of the click event, ${names[index]}`,
    value: bytes,
    unit: 'bytes',
    better: 'lower',
  });
}

if (Number.isNaN(sinkValue())) console.log('unreachable');
