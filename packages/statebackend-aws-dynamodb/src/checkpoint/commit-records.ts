import { type AttributeValue, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoIo, Item, ItemKey } from '../io/dynamo-io.js';
import { numberOf } from '../layout/slot-item.js';
import type { CommitRecord, LineageEntry } from './lineage.js';

const COMMIT_PREFIX = new TextEncoder().encode('commit');

/** Sort key of a commit record: `commit`, checkpoint id (u64), writer epoch (u32). */
export function commitSortKey(checkpointId: number, epoch: number): Uint8Array {
  const sk = new Uint8Array(COMMIT_PREFIX.length + 12);
  sk.set(COMMIT_PREFIX, 0);
  const view = new DataView(sk.buffer);
  view.setBigUint64(COMMIT_PREFIX.length, BigInt(checkpointId));
  view.setUint32(COMMIT_PREFIX.length + 8, epoch);
  return sk;
}

export function commitKey(metaPk: Uint8Array, checkpointId: number, epoch: number): ItemKey {
  return { pk: { B: metaPk }, sk: { B: commitSortKey(checkpointId, epoch) } };
}

export function commitItem(metaPk: Uint8Array, record: CommitRecord): Record<string, AttributeValue> {
  return {
    ...commitKey(metaPk, record.checkpointId, record.epoch),
    ckpt: { N: String(record.checkpointId) },
    ep: { N: String(record.epoch) },
    gen: { N: String(record.cutoff) },
    ks: { N: String(record.start) },
    ke: { N: String(record.end) },
    lin: { S: JSON.stringify(record.lineage.map((e) => [e.epoch, e.cutoff, e.start, e.end])) },
    md: { B: record.metadata },
    at: { N: String(record.committedAt) },
    ok: { S: JSON.stringify(record.restorable) },
    ...(record.states === undefined ? {} : { st: { S: record.states } }),
    ...(record.maxParallelism === undefined ? {} : { mp: { N: String(record.maxParallelism) } }),
    ...(record.buckets === undefined ? {} : { bk: { N: String(record.buckets) } }),
    ...(record.written === undefined
      ? {}
      : { wn: { N: String(record.written.entries) }, wb: { N: String(record.written.bytes) } }),
  };
}

export function fromCommitItem(item: Item): CommitRecord {
  const lineage = (JSON.parse(item.lin?.S ?? '[]') as [number, number, number, number][]).map(
    ([epoch, cutoff, start, end]): LineageEntry => ({ epoch, cutoff, start, end }),
  );
  return {
    checkpointId: numberOf(item.ckpt),
    epoch: numberOf(item.ep),
    cutoff: numberOf(item.gen),
    start: numberOf(item.ks),
    end: numberOf(item.ke),
    lineage,
    metadata: item.md?.B ?? new Uint8Array(0),
    committedAt: numberOf(item.at),
    restorable: JSON.parse(item.ok?.S ?? '[]') as number[],
    ...(item.st?.S === undefined ? {} : { states: item.st.S }),
    ...(item.mp?.N === undefined ? {} : { maxParallelism: Number(item.mp.N) }),
    ...(item.bk?.N === undefined ? {} : { buckets: Number(item.bk.N) }),
    ...(item.wn?.N === undefined || item.wb?.N === undefined
      ? {}
      : { written: { entries: Number(item.wn.N), bytes: Number(item.wb.N) } }),
  };
}

/** Every commit record of the scope, newest checkpoint first. */
export async function listCommits(io: DynamoIo, metaPk: Uint8Array): Promise<CommitRecord[]> {
  const records: CommitRecord[] = [];
  for await (const page of io.query({
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
    ExpressionAttributeValues: { ':pk': { B: metaPk }, ':c': { B: COMMIT_PREFIX } },
    ScanIndexForward: false,
  })) {
    for (const item of page) records.push(fromCommitItem(item));
  }
  return records;
}

/**
 * Records on this writer's newest commit which of its checkpoints are still restorable, after a
 * completion notice dropped older ones, so that a restore of an explicit id can check it.
 */
export async function updateRestorable(
  ctx: { readonly io: DynamoIo; readonly metaPk: Uint8Array; readonly epoch: number },
  restorable: readonly number[],
): Promise<void> {
  const newest = restorable[restorable.length - 1];
  if (newest === undefined) return;
  await ctx.io.send('UpdateItem', (client) =>
    client.send(
      new UpdateItemCommand({
        TableName: ctx.io.tableName,
        Key: commitKey(ctx.metaPk, newest, ctx.epoch),
        UpdateExpression: 'SET ok = :ok',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':ok': { S: JSON.stringify(restorable) } },
      }),
    ),
  );
}
