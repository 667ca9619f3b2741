import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { type ConnectionOptions, Consumer, type Message, Producer } from '@platformatic/kafka';
import { assignToKeyGroup, type Logger, noopLogger } from '@statebackend/aws-base';
import { KafkaJobOptionsError, KafkaRequestError } from '../errors.js';
import type { InputRecord } from '../kafka/committed-records.js';
import { fetchCommitted } from '../kafka/fetch-committed.js';
import { fetchStableCommittedOffsets } from '../kafka/stable-offsets.js';

/** Options of {@link Repartitioner}. */
export interface RepartitionerOptions {
  /** `host:port` of one or more brokers. */
  readonly bootstrapBrokers: readonly string[];
  /** TLS and SASL settings for every connection, as for the worker. */
  readonly connection?: ConnectionOptions;
  /** The consumer group of the repartitioning stage (not the keyed job's group). */
  readonly groupId: string;
  /** Any topic, partitioned any way. */
  readonly sourceTopic: string;
  /** The internal topic of `maxParallelism` partitions that the keyed job reads. */
  readonly targetTopic: string;
  readonly maxParallelism: number;
  /** The serialized state key of a record: the bytes the keyed job's key serializer gives its key. */
  readonly keyBytesOf: (record: InputRecord) => Uint8Array;
  /** How often a transaction commits, in ms. Default 200. */
  readonly commitIntervalMs?: number;
  /** A stable name for this instance, part of its client and transactional ids. */
  readonly workerId?: string;
  /** Group session timeout in ms. Default 10000. */
  readonly sessionTimeoutMs?: number;
  /** Heartbeat interval in ms. Default 1000. */
  readonly heartbeatIntervalMs?: number;
  readonly logger?: Logger;
}

/** What a repartitioner did so far. */
export interface RepartitionerStats {
  /** Records written to the target topic in committed transactions. */
  readonly records: number;
  readonly transactions: number;
  /** Transactions that failed (a rebalance, a broker error); their records are read again. */
  readonly rollbacks: number;
}

type Bytes = Consumer<Buffer, Buffer, Buffer, Buffer>;

/**
 * The stateless first stage of a keyed job whose input is not partitioned by the state key: it
 * reads `sourceTopic` in a consumer group and writes each record, unchanged, to partition
 * `keyGroup(key)` of `targetTopic` (the murmur formula of every backend, so savepoints stay
 * compatible), exactly once: records and consumed offsets commit in one transaction per
 * interval. Run as many as the source has partitions; the keyed workers read `targetTopic`.
 *
 * @example
 * ```ts
 * const stage = new Repartitioner({
 *   bootstrapBrokers, groupId: 'clicks-repartition', sourceTopic: 'clicks-raw',
 *   targetTopic: 'clicks-by-user', maxParallelism: 128,
 *   keyBytesOf: (record) => Serializers.string.serialize(JSON.parse(String(record.value)).userId),
 * });
 * await stage.run(signal);
 * ```
 */
export class Repartitioner {
  readonly #options: RepartitionerOptions;
  readonly #logger: Logger;
  readonly #clientId: string;
  /** Owned source partition → next offset to read. */
  readonly #positions = new Map<number, bigint>();
  /** Owned source partition → the offset the last committed transaction consumed to. */
  readonly #committed = new Map<number, bigint>();
  #pending: { readonly partition: number; readonly record: InputRecord }[] = [];
  #assignmentChanged = false;
  #generation = -1;
  #wake: (() => void) | undefined;
  #records = 0;
  #transactions = 0;
  #rollbacks = 0;

  /** @throws KafkaJobOptionsError when `maxParallelism` is not an integer in 1..32768. */
  constructor(options: RepartitionerOptions) {
    const m = options.maxParallelism;
    if (!Number.isInteger(m) || m < 1 || m > 32768) {
      throw new KafkaJobOptionsError(`maxParallelism must be an integer in 1..32768; received ${String(m)}`);
    }
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
    this.#clientId = `${options.groupId}-${options.workerId ?? randomUUID().slice(0, 8)}`;
  }

  /** What it did so far. */
  get stats(): RepartitionerStats {
    return { records: this.#records, transactions: this.#transactions, rollbacks: this.#rollbacks };
  }

  /** Joins the group and repartitions until `signal` aborts; commits what it read, then leaves. */
  async run(signal?: AbortSignal): Promise<void> {
    const o = this.#options;
    const session = o.sessionTimeoutMs ?? 10_000;
    const heartbeat = o.heartbeatIntervalMs ?? 1_000;
    const consumer: Bytes = new Consumer({
      ...(o.connection ?? {}),
      clientId: this.#clientId,
      bootstrapBrokers: [...o.bootstrapBrokers],
      groupId: o.groupId,
    });
    let producer = this.#newProducer();
    const onJoin = (): void => {
      this.#assignmentChanged = true;
      this.#wake?.();
    };
    const onAbort = (): void => this.#wake?.();
    consumer.on('consumer:group:join', onJoin);
    signal?.addEventListener('abort', onAbort);
    const stopped = {
      get aborted() {
        return signal?.aborted ?? false;
      },
    };
    try {
      consumer.topics.trackAll(o.sourceTopic);
      await consumer.joinGroup({
        sessionTimeout: session,
        heartbeatInterval: heartbeat,
        rebalanceTimeout: Math.max(session, 10_000),
      });
      const target = (await consumer.metadata({ topics: [o.targetTopic] })).topics.get(o.targetTopic);
      if (target?.partitionsCount !== o.maxParallelism) {
        throw new KafkaJobOptionsError(
          `Topic ${o.targetTopic} must have maxParallelism (${o.maxParallelism}) partitions; it has ${target?.partitionsCount ?? 'none (missing)'}.`,
        );
      }
      const interval = o.commitIntervalMs ?? 200;
      let lastCommit = Date.now();
      const commit = async (): Promise<void> => {
        if (!(await this.#commit(consumer, producer))) {
          await producer.close(true).catch(() => undefined);
          producer = this.#newProducer();
        }
        lastCommit = Date.now();
      };
      while (!stopped.aborted) {
        if (this.#assignmentChanged) await this.#reconcile(consumer, stopped);
        if (this.#positions.size === 0) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, interval);
            this.#wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.#wake = undefined;
          continue;
        }
        const source = (await consumer.metadata({ topics: [o.sourceTopic] })).topics.get(o.sourceTopic);
        if (source === undefined) throw new KafkaRequestError(`Topic ${o.sourceTopic} does not exist`);
        const fetched = await fetchCommitted(consumer, o.sourceTopic, source, this.#positions, 100);
        for (const [partition, records] of fetched) {
          for (const record of records) this.#pending.push({ partition, record });
          const last = records[records.length - 1];
          if (last !== undefined) this.#positions.set(partition, last.offset + 1n);
        }
        if (Date.now() - lastCommit >= interval) await commit();
      }
      await commit();
    } finally {
      signal?.removeEventListener('abort', onAbort);
      consumer.off('consumer:group:join', onJoin);
      await Promise.resolve(consumer.leaveGroup(true)).catch(() => undefined);
      await consumer.close(true).catch(() => undefined);
      await producer.close(true).catch(() => undefined);
    }
  }

  #newProducer(): Producer<Buffer, Buffer, Buffer, Buffer> {
    const o = this.#options;
    return new Producer({
      ...(o.connection ?? {}),
      clientId: this.#clientId,
      bootstrapBrokers: [...o.bootstrapBrokers],
      idempotent: true,
      transactionalId: `${this.#clientId}-${randomUUID()}`,
    });
  }

  async #reconcile(consumer: Bytes, signal: { readonly aborted: boolean }): Promise<void> {
    const o = this.#options;
    this.#assignmentChanged = false;
    const generation = consumer.generationId;
    const assigned = new Set(
      (consumer.assignments ?? []).filter((a) => a.topic === o.sourceTopic).flatMap((a) => a.partitions),
    );
    for (const partition of [...this.#positions.keys()]) {
      if (assigned.has(partition)) continue;
      this.#positions.delete(partition);
      this.#committed.delete(partition);
    }
    this.#pending = this.#pending.filter((p) => assigned.has(p.partition));
    const gained = [...assigned].filter((p) => !this.#positions.has(p));
    if (gained.length > 0) {
      const offsets = await fetchStableCommittedOffsets(
        consumer,
        o.connection ?? {},
        o.sourceTopic,
        gained,
        signal,
      );
      for (const partition of gained) {
        const offset = offsets.get(partition) ?? 0n;
        this.#positions.set(partition, offset);
        this.#committed.set(partition, offset);
      }
    }
    this.#generation = generation;
  }

  /** One transaction with the pending records and their offsets; false when it failed and was rolled back. */
  async #commit(consumer: Bytes, producer: Producer<Buffer, Buffer, Buffer, Buffer>): Promise<boolean> {
    const o = this.#options;
    const moved = [...this.#positions].filter(([p, next]) => next !== this.#committed.get(p));
    if (moved.length === 0) return true;
    const pending = this.#pending;
    let transaction: Awaited<ReturnType<typeof producer.beginTransaction>> | undefined;
    try {
      transaction = await producer.beginTransaction();
      if (pending.length > 0) {
        await transaction.send({
          messages: pending.map(({ record }) => ({
            topic: o.targetTopic,
            partition: assignToKeyGroup(o.keyBytesOf(record), o.maxParallelism),
            value: record.value ?? Buffer.alloc(0),
            ...(record.key === null ? {} : { key: record.key }),
            timestamp: record.timestamp,
          })),
        });
      }
      await transaction.addConsumer(consumer);
      for (const [partition, next] of moved) {
        const marker = {
          topic: o.sourceTopic,
          partition,
          offset: next - 1n,
          metadata: {
            consumer: {
              groupId: o.groupId,
              generationId: this.#generation,
              memberId: consumer.memberId,
              coordinatorId: consumer.coordinatorId,
            },
          },
        };
        await transaction.addOffset(marker as unknown as Message<Buffer, Buffer, Buffer, Buffer>);
      }
      await transaction.commit();
    } catch (error) {
      await transaction?.abort().catch(() => undefined);
      this.#rollbacks += 1;
      this.#logger.warn('Repartitioning transaction failed; reading again from the committed offsets', {
        error: inspect(error, { depth: 3 }).slice(0, 800),
      });
      this.#positions.clear();
      this.#committed.clear();
      this.#pending = [];
      this.#assignmentChanged = true;
      return false;
    }
    this.#transactions += 1;
    this.#records += pending.length;
    this.#pending = [];
    for (const [partition, next] of moved) this.#committed.set(partition, next);
    return true;
  }
}
