import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { Consumer, type Message, Producer } from '@platformatic/kafka';
import { assignToKeyGroup, type JsonValue, type Logger, noopLogger } from '@statebackend/aws-base';
import {
  CommitFailedError,
  KafkaJobOptionsError,
  KafkaRequestError,
  MisroutedRecordError,
} from '../errors.js';
import type { InputRecord } from '../kafka/committed-records.js';
import { cooperativeStickyAssignor } from '../kafka/cooperative-sticky-assignor.js';
import { fetchCommitted } from '../kafka/fetch-committed.js';
import { fetchStableCommittedOffsets } from '../kafka/stable-offsets.js';
import { loadOutputs, sinkRecords, storeOutputs } from '../sink/output-sink.js';
import { HeapKeyGroupBackends, type KeyGroupBackends } from '../state/key-group-backends.js';
import {
  isStoreFencing,
  type KeyGroupState,
  KeyGroupState as KeyGroupStates,
} from '../state/key-group-state.js';
import {
  type KafkaKeyedWorkerOptions,
  type OutputRecord,
  validateWorkerOptions,
} from './kafka-keyed-worker-options.js';

const FENCING_CODES =
  /ILLEGAL_GENERATION|PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|FENCED_INSTANCE_ID|UNKNOWN_MEMBER_ID|REBALANCE_IN_PROGRESS|INVALID_TXN_STATE|TRANSACTIONAL_ID_AUTHORIZATION/;

/** What a worker did so far. */
export interface KafkaKeyedWorkerStats {
  /** Records applied to state (records replayed after a rollback count again). */
  readonly records: number;
  /** Checkpoints whose Kafka transaction committed. */
  readonly checkpoints: number;
  /** Checkpoints that could not commit, after which the worker went back to the committed state. */
  readonly rollbacks: number;
  /**
   * Times a newer owner of a key group refused this worker (store epoch, group generation,
   * producer epoch). With eager rebalancing each is one of the rollbacks; with cooperative
   * rebalancing it is also counted when the store refused the state of key groups the group had
   * just taken away (left out of the commit), or when the group dropped this worker (a gap in its
   * generations) while it owned key groups.
   */
  readonly fenced: number;
  /** The fenced ones by who refused: the checkpoint store (its epoch) or Kafka (generation or producer epoch). */
  readonly fencedBy: { readonly store: number; readonly kafka: number };
  /** The key groups (= input partitions) this worker owns now, ascending. */
  readonly ownedKeyGroups: readonly number[];
  /** Key groups opened (claimed and restored) so far; a key group kept through a rebalance is not opened again. */
  readonly opened: number;
  /**
   * Commits put off because the group's generation moved while they ran (cooperative
   * rebalancing): the key groups stay open and the next commit includes their records.
   */
  readonly deferred: number;
}

/** A member's assignment in one generation, as the consumer reported both together. */
interface GroupView {
  readonly generation: number;
  readonly partitions: ReadonlySet<number>;
}

/**
 * Key groups being claimed and restored beside the processing loop. The loop adopts them once
 * `result` is set; until then their partitions are not fetched and no commit covers them.
 */
interface Opening<K> {
  readonly keyGroups: readonly number[];
  /** Key groups the worker no longer wants (revoked, or it let go of everything): closed, not adopted. */
  readonly cancelled: Set<number>;
  /** Settles once `result` is set; never rejects. */
  readonly done: Promise<void>;
  result:
    | { readonly stale: true }
    | {
        readonly stale: false;
        readonly opened: readonly KeyGroupState<K>[];
        readonly failures: readonly { readonly keyGroup: number; readonly error: unknown }[];
      }
    | undefined;
}

/** Errors of a transactional offset commit whose generation the group has just left behind. */
const GENERATION_MOVED = /ILLEGAL_GENERATION|REBALANCE_IN_PROGRESS/;

type Bytes = Consumer<Buffer, Buffer, Buffer, Buffer>;
type Assignments = Bytes['assignments'];

/**
 * One worker process of a keyed job on Kafka. Run N of them with the same `groupId`: the consumer
 * group assigns the input partitions, each partition is a key group, and a worker owns the state
 * of exactly the key groups it is assigned. On assignment it claims each new key group in the
 * checkpoint store (fencing the previous owner), restores the checkpoint taken at the group's
 * committed offset and reads on from there; a key group it loses is dropped with its uncommitted
 * work, which its new owner redoes from the same committed point.
 *
 * Every `checkpointIntervalMs` it commits: first the state of every changed key group, as
 * checkpoint N tagged with the offset it reflects (N-1 stays), then one Kafka transaction with
 * the records emitted since the last commit and the consumed offsets (`sendOffsetsToTransaction`
 * with the group generation the key groups were assigned in). The transaction is the commit
 * point: if it fails, or the store refuses the state, nothing of the attempt is visible to
 * read_committed readers and the worker rolls back to the committed checkpoint.
 *
 * @example
 * ```ts
 * const worker = new KafkaKeyedWorker({
 *   bootstrapBrokers: ['b-1.msk:9098'], groupId: 'clicks', inputTopic: 'clicks', outputTopic: 'click-counts',
 *   maxParallelism: 12, jobId: 'clicks', operatorId: 'per-user', keySerializer: Serializers.string,
 *   checkpointStorage: storage,
 *   keyOf: (record) => record.key?.toString() ?? '',
 *   process: async (record, ctx, emit) => {
 *     const count = ctx.getState(clicks);
 *     const next = (await count.value()) + 1;
 *     await count.update(next);
 *     emit({ key: record.key ?? undefined, value: Buffer.from(String(next)) });
 *   },
 * });
 * const controller = new AbortController();
 * process.once('SIGTERM', () => controller.abort());
 * await worker.run(controller.signal);
 * ```
 */
export class KafkaKeyedWorker<K> {
  readonly #options: KafkaKeyedWorkerOptions<K>;
  readonly #logger: Logger;
  readonly #workerId: string;
  readonly #clientId: string;
  readonly #backends: KeyGroupBackends;
  readonly #owned = new Map<number, KeyGroupState<K>>();
  readonly #outputs = new Map<number, OutputRecord[]>();
  /** Cooperative: key groups the group took away, closed at the next reconcile. */
  readonly #leaving: KeyGroupState<K>[] = [];
  /** Gained key groups being claimed and restored (in the background when cooperative). */
  readonly #openings: Opening<K>[] = [];
  /** Cooperative: the newest assignment the consumer reported, with its generation. */
  #view: GroupView | undefined;
  /** Cooperative: the newest generation that took key groups from this worker. */
  #revokedIn = -1;
  /** Cooperative: a commit was refused in this generation; commits wait for the next one. */
  #deferredIn: { generation: number; since: number } | undefined;
  #consumer: Bytes | undefined;
  #producer: Producer<Buffer, Buffer, Buffer, Buffer> | undefined;
  #assignmentChanged = false;
  /** After a fenced rollback: when to reopen key groups if the group has not reassigned them first. */
  #reopenNotBefore = 0;
  #generation = -1;
  #wake: (() => void) | undefined;
  #records = 0;
  #checkpoints = 0;
  #rollbacks = 0;
  #fencedByStore = 0;
  #fencedByKafka = 0;
  #opened = 0;
  #deferred = 0;

  /** @throws KafkaJobOptionsError naming every invalid or unknown option. */
  constructor(options: KafkaKeyedWorkerOptions<K>) {
    const issues = validateWorkerOptions(options as unknown as Readonly<Record<string, unknown>>);
    if (issues.length > 0) {
      throw new KafkaJobOptionsError(`Invalid KafkaKeyedWorker options:\n- ${issues.join('\n- ')}`);
    }
    this.#options = options;
    this.#logger = options.logger ?? noopLogger;
    this.#workerId = options.workerId ?? randomUUID().slice(0, 8);
    this.#clientId = `${options.groupId}-${this.#workerId}`;
    this.#backends =
      options.keyGroupBackends ??
      new HeapKeyGroupBackends(options.checkpointStorage as NonNullable<typeof options.checkpointStorage>);
  }

  /** What the worker did so far. */
  get stats(): KafkaKeyedWorkerStats {
    return {
      records: this.#records,
      checkpoints: this.#checkpoints,
      rollbacks: this.#rollbacks,
      fenced: this.#fencedByStore + this.#fencedByKafka,
      fencedBy: { store: this.#fencedByStore, kafka: this.#fencedByKafka },
      ownedKeyGroups: [...this.#owned.keys()].sort((a, b) => a - b),
      opened: this.#opened,
      deferred: this.#deferred,
    };
  }

  /**
   * Joins the group and processes until `signal` aborts; then commits what was processed, lets
   * go of its key groups and leaves the group, so the others take them over at once.
   *
   * @throws the error of `keyOf` or `process`, after letting go of everything without a commit.
   */
  async run(signal?: AbortSignal): Promise<void> {
    const o = this.#options;
    const clientId = this.#clientId;
    const connection = o.connection ?? {};
    const cooperative = this.#cooperative;
    const groupOptions = {
      sessionTimeout: o.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: o.heartbeatIntervalMs ?? 1_000,
      rebalanceTimeout: Math.max(o.sessionTimeoutMs ?? 10_000, 10_000),
      // Cooperative also offers round-robin, which the group picks while some members offer only
      // that (workers of an earlier release, or 'eager' ones): a rolling upgrade keeps working,
      // and the group turns cooperative once every member offers it.
      protocols: cooperative
        ? [
            { name: 'cooperative-sticky', version: 3 },
            { name: 'roundrobin', version: 1 },
          ]
        : [{ name: 'roundrobin', version: 1 }],
      // Cooperative: our assignor when this member leads the group. The client's own leaves a
      // member that joins idle when no member owns more than ceil(partitions / members), e.g. a
      // third worker on 4 partitions owned 2 + 2 (see cooperative-sticky-assignor.ts).
      ...(cooperative ? { partitionAssigner: cooperativeStickyAssignor } : {}),
    };
    const consumer: Bytes = new Consumer({
      ...connection,
      clientId,
      bootstrapBrokers: [...o.bootstrapBrokers],
      groupId: o.groupId,
      ...groupOptions,
    });
    this.#consumer = consumer;
    this.#producer = this.#newProducer(clientId);
    const onJoin = (payload?: { generationId?: number; assignments?: Assignments }): void => {
      if (cooperative)
        this.#observe(
          payload?.generationId ?? consumer.generationId,
          payload?.assignments ?? consumer.assignments,
        );
      this.#assignmentChanged = true;
      this.#reopenNotBefore = 0;
      this.#wake?.();
    };
    // Cooperative: emitted when a rebalance starts (same generation and assignment as before) and
    // when a round that revoked partitions of this member ended (the new generation and the
    // reduced assignment, before the member joins again for the partitions to move).
    const onRebalance = (): void => {
      this.#observe(consumer.generationId, consumer.assignments);
      this.#assignmentChanged = true;
      this.#reopenNotBefore = 0;
      this.#wake?.();
    };
    const onAbort = (): void => this.#wake?.();
    consumer.on('consumer:group:join', onJoin);
    if (cooperative) consumer.on('consumer:group:rebalance', onRebalance);
    signal?.addEventListener('abort', onAbort);
    const stopped = {
      get aborted() {
        return signal?.aborted ?? false;
      },
    };
    let failure: unknown;
    try {
      consumer.topics.trackAll(o.inputTopic);
      await consumer.joinGroup(groupOptions);
      let lastCommit = Date.now();
      const interval = o.checkpointIntervalMs ?? 500;
      while (!stopped.aborted) {
        if (this.#openings.some((opening) => opening.result !== undefined)) await this.#adoptOpened();
        if (this.#assignmentChanged && Date.now() >= this.#reopenNotBefore)
          await this.#reconcile(connection, stopped);
        if (this.#owned.size === 0) {
          await this.#sleep(interval);
          continue;
        }
        await this.#fetchAndProcess();
        if (Date.now() - lastCommit >= interval) {
          // Cooperative: apply a rebalance that ended during the fetch first, so the commit
          // carries the generation of the key groups it covers.
          if (cooperative && this.#assignmentChanged && Date.now() >= this.#reopenNotBefore)
            await this.#reconcile(connection, stopped);
          await this.#commit(clientId, true);
          lastCommit = Date.now();
        }
      }
      if (this.#assignmentChanged) await this.#reconcile(connection, stopped);
      await this.#commit(clientId);
    } catch (error) {
      failure = error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      consumer.off('consumer:group:join', onJoin);
      consumer.off('consumer:group:rebalance', onRebalance);
      await this.#releaseAll();
      await this.#closeOpenings();
      await Promise.resolve(consumer.leaveGroup(true)).catch(() => undefined);
      await consumer.close(true).catch(() => undefined);
      await this.#producer?.close(true).catch(() => undefined);
      this.#consumer = undefined;
      this.#producer = undefined;
    }
    if (failure !== undefined) throw failure;
  }

  get #cooperative(): boolean {
    return (this.#options.rebalancing ?? 'cooperative') === 'cooperative';
  }

  /**
   * Cooperative: the consumer reported `assignments` in `generation`. Key groups no longer
   * assigned leave at once (closed at the next reconcile, so no commit covers them from now on);
   * the others stay open and are committed in `generation`. A member that sees every generation
   * (each one it takes part in is one higher) has held a kept partition throughout: the
   * cooperative assignor gives a partition to a new owner only in a generation after the one
   * that revoked it. A gap (the member was dropped from the group and joined again) lets go of
   * everything: another member may have owned a partition meanwhile.
   */
  #observe(generation: number, assignments: Assignments): void {
    const seen = this.#view?.generation ?? -1;
    if (generation < seen) return;
    const partitions = new Set(
      (assignments ?? []).filter((a) => a.topic === this.#options.inputTopic).flatMap((a) => a.partitions),
    );
    const continuous = seen < 0 || generation <= seen + 1;
    if (!continuous && this.#owned.size > 0) {
      this.#fencedByKafka += 1;
      const failure = new CommitFailedError(
        `Worker ${this.#workerId} was dropped from the group (generation ${seen}, now ${generation}): ` +
          'its key groups have newer owners; letting go of them and of their uncommitted work',
        true,
      );
      this.#logger.warn(failure.message, { fenced: true });
    }
    for (const [keyGroup, state] of [...this.#owned]) {
      if (continuous && partitions.has(keyGroup)) continue;
      this.#owned.delete(keyGroup);
      this.#leaving.push(state);
      this.#revokedIn = generation;
    }
    // Key groups still opening leave the same way: closed once their open ends, never adopted.
    for (const opening of this.#openings) {
      for (const keyGroup of opening.keyGroups)
        if (!continuous || !partitions.has(keyGroup)) opening.cancelled.add(keyGroup);
    }
    this.#view = { generation, partitions };
    this.#generation = generation;
  }

  #newProducer(clientId: string): Producer<Buffer, Buffer, Buffer, Buffer> {
    const o = this.#options;
    // A fresh transactional id per producer: @platformatic/kafka 2.x re-initialises a
    // transactional id that already has a producer id with 0/0 instead of -1/-1, which the
    // broker refuses. Zombies are fenced by the group generation and the store's epoch instead.
    return new Producer({
      ...(o.connection ?? {}),
      clientId,
      bootstrapBrokers: [...o.bootstrapBrokers],
      idempotent: true,
      transactionalId: `${clientId}-${randomUUID()}`,
    });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = done;
    }).finally(() => {
      this.#wake = undefined;
    });
  }

  /** Brings the owned key groups in line with the group's current assignment. */
  async #reconcile(
    connection: NonNullable<KafkaKeyedWorkerOptions<K>['connection']>,
    signal: { readonly aborted: boolean },
  ): Promise<void> {
    const consumer = this.#consumer;
    if (consumer === undefined) return;
    const o = this.#options;
    this.#assignmentChanged = false;
    const view = this.#cooperative ? this.#view : undefined;
    const generation = view?.generation ?? consumer.generationId;
    const assigned = new Set(
      view?.partitions ??
        (consumer.assignments ?? []).filter((a) => a.topic === o.inputTopic).flatMap((a) => a.partitions),
    );
    for (const state of this.#leaving.splice(0)) {
      this.#outputs.delete(state.keyGroup);
      await state
        .close()
        .catch((error: unknown) =>
          this.#logger.warn('closing a key group failed', { keyGroup: state.keyGroup, error }),
        );
      this.#logger.info('released key group', { keyGroup: state.keyGroup, worker: this.#workerId });
    }
    for (const [keyGroup, state] of [...this.#owned]) {
      if (assigned.has(keyGroup)) continue;
      this.#owned.delete(keyGroup);
      this.#outputs.delete(keyGroup);
      await state
        .close()
        .catch((error: unknown) => this.#logger.warn('closing a key group failed', { keyGroup, error }));
      this.#logger.info('released key group', { keyGroup, worker: this.#workerId });
    }
    // Key groups still opening that the assignment no longer gives are closed once opened.
    for (const opening of this.#openings) {
      for (const keyGroup of opening.keyGroups) if (!assigned.has(keyGroup)) opening.cancelled.add(keyGroup);
    }
    const gained = [...assigned]
      .filter((p) => !this.#owned.has(p) && !this.#isOpening(p))
      .sort((a, b) => a - b);
    if (gained.length > 0 && signal.aborted) return;
    if (gained.length === 0) {
      if (view === undefined) this.#generation = generation;
      return;
    }
    const opening = this.#startOpening(consumer, gained, generation, connection, signal);
    // Cooperative: the kept key groups go on while the gained ones open; the processing loop
    // adopts them when they are ready. Eager: every rebalance revoked everything, so the worker
    // waits for them, as before.
    if (view !== undefined) return;
    await opening.done;
    const adopted = await this.#adopt(opening);
    if (adopted === undefined) return;
    this.#generation = generation;
    if (adopted.length > 0) await this.#options.hooks?.afterAssigned?.(adopted);
  }

  /** True while `keyGroup` is being opened and is still wanted. */
  #isOpening(keyGroup: number): boolean {
    return this.#openings.some((o) => o.keyGroups.includes(keyGroup) && !o.cancelled.has(keyGroup));
  }

  /**
   * Starts claiming and restoring `gained`, assigned in `generation`: after a heartbeat confirmed
   * the assignment, with the group's stable committed offsets. An open of the same key group that
   * was cancelled but has not ended yet is waited for first (its claim must not land after this one).
   */
  #startOpening(
    consumer: Bytes,
    gained: readonly number[],
    generation: number,
    connection: NonNullable<KafkaKeyedWorkerOptions<K>['connection']>,
    signal: { readonly aborted: boolean },
  ): Opening<K> {
    const o = this.#options;
    const earlier = this.#openings
      .filter((other) => other.keyGroups.some((kg) => gained.includes(kg)))
      .map((other) => other.done);
    const cancelled = new Set<number>();
    const open = async (): Promise<NonNullable<Opening<K>['result']>> => {
      await Promise.all(earlier);
      if (gained.every((kg) => cancelled.has(kg))) return { stale: false, opened: [], failures: [] };
      // The assignment may already be stale (the group is rebalancing): claiming now could take
      // key groups from their rightful owner; the next assignment comes with a join event.
      if (!(await this.#membershipConfirmed(consumer, generation))) return { stale: true };
      const committed = await fetchStableCommittedOffsets(consumer, connection, o.inputTopic, gained, signal);
      const config = {
        jobId: o.jobId,
        operatorId: o.operatorId,
        maxParallelism: o.maxParallelism,
        keySerializer: o.keySerializer,
        backends: this.#backends,
        logger: this.#logger,
        ...(o.states === undefined ? {} : { states: o.states }),
      };
      const results = await Promise.allSettled(
        gained.map((keyGroup) =>
          KeyGroupStates.open(config, keyGroup, committed.get(keyGroup), 0n, () => !cancelled.has(keyGroup)),
        ),
      );
      return {
        stale: false,
        opened: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
        failures: results.flatMap((r, i) =>
          r.status === 'rejected' ? [{ keyGroup: gained[i] as number, error: r.reason as unknown }] : [],
        ),
      };
    };
    const opening: Opening<K> = {
      keyGroups: gained,
      cancelled,
      result: undefined,
      done: open().then(
        (result) => {
          opening.result = result;
        },
        (error: unknown) => {
          opening.result = {
            stale: false,
            opened: [],
            failures: gained.map((keyGroup) => ({ keyGroup, error })),
          };
        },
      ),
    };
    void opening.done.then(() => this.#wake?.());
    this.#openings.push(opening);
    return opening;
  }

  /** Cooperative: adopts every opening that ended, in the processing loop (between commits). */
  async #adoptOpened(): Promise<void> {
    for (const opening of this.#openings.filter((o) => o.result !== undefined)) {
      const adopted = await this.#adopt(opening);
      if (adopted !== undefined && adopted.length > 0) await this.#options.hooks?.afterAssigned?.(adopted);
    }
  }

  /**
   * Takes the key groups of an ended opening into the owned ones, except those no longer wanted
   * (closed). Resolves with the key groups taken, or undefined when the opening came to nothing:
   * a stale assignment (the next one reconciles again) or a fenced claim (rolled back).
   *
   * @throws the error of an open that failed otherwise (no checkpoint at the committed offsets, the store).
   */
  async #adopt(opening: Opening<K>): Promise<number[] | undefined> {
    const index = this.#openings.indexOf(opening);
    if (index >= 0) this.#openings.splice(index, 1);
    const result = opening.result;
    if (result === undefined) return undefined;
    const wanted = (keyGroup: number): boolean => !opening.cancelled.has(keyGroup);
    if (result.stale) {
      if (opening.keyGroups.some(wanted)) this.#assignmentChanged = true;
      return undefined;
    }
    const close = (states: readonly KeyGroupState<K>[]): Promise<unknown> =>
      Promise.all(states.map((state) => state.close().catch(() => undefined)));
    const unwanted = result.opened.filter((s) => !wanted(s.keyGroup));
    const opened = result.opened.filter((s) => wanted(s.keyGroup));
    await close(unwanted);
    // Left while opening: closed if the claim was made, not claimed at all otherwise.
    for (const keyGroup of opening.keyGroups.filter((kg) => !wanted(kg)))
      this.#logger.info('released key group', { keyGroup, worker: this.#workerId });
    // Failures of key groups that left while they opened do not matter: they are gone anyway.
    const failures = result.failures.filter((f) => wanted(f.keyGroup)).map((f) => f.error);
    if (failures.length > 0) {
      await close(opened);
      const failure = failures[0];
      // Another worker claimed a key group while this one restored it: the assignment it acted
      // on is already stale. Let go and wait for the group's next word, as after a fenced commit.
      if (failures.every(isStoreFencing)) {
        await this.#rollback(this.#clientId, 'open', failure);
        return undefined;
      }
      throw failure;
    }
    try {
      await this.#redeliver(opened);
    } catch (error) {
      await close(opened);
      await this.#rollback(this.#clientId, 'sink', error);
      return undefined;
    }
    this.#opened += opened.length;
    for (const state of opened) {
      this.#owned.set(state.keyGroup, state);
      this.#logger.info('took over key group', {
        keyGroup: state.keyGroup,
        offset: state.position.toString(),
        worker: this.#workerId,
      });
    }
    return opened.map((state) => state.keyGroup);
  }

  /** Cancels every opening, waits for it to end and closes what it opened (the worker stops). */
  async #closeOpenings(): Promise<void> {
    const openings = this.#openings.splice(0);
    for (const opening of openings) for (const keyGroup of opening.keyGroups) opening.cancelled.add(keyGroup);
    await Promise.all(openings.map((opening) => opening.done));
    await Promise.all(
      openings.flatMap((opening) =>
        opening.result?.stale === false
          ? opening.result.opened.map((state) => state.close().catch(() => undefined))
          : [],
      ),
    );
  }

  /**
   * Resolves true once a heartbeat sent from now on succeeded in `generation`: the assignment of
   * that generation was still the group's a moment ago. False when the heartbeat failed, the
   * member rejoined, or none succeeded within a session timeout. The consumer's view of its
   * assignment can lag behind the coordinator's (after a pause, or while a rebalance runs); a
   * worker that claimed key groups from such a view would fence their new owner in the store.
   */
  #membershipConfirmed(consumer: Bytes, generation: number): Promise<boolean> {
    return new Promise((resolve) => {
      let started = false;
      const finish = (confirmed: boolean): void => {
        clearTimeout(timer);
        consumer.off('consumer:heartbeat:start', onStart);
        consumer.off('consumer:heartbeat:end', onEnd);
        consumer.off('consumer:heartbeat:error', onFail);
        consumer.off('consumer:group:join', onFail);
        consumer.off('consumer:group:rejoin', onFail);
        resolve(confirmed);
      };
      const onStart = (): void => {
        started = true;
      };
      const onEnd = (payload?: { generationId?: number }): void => {
        if (started) finish(payload?.generationId === generation && consumer.generationId === generation);
      };
      const onFail = (): void => finish(false);
      const timer = setTimeout(() => finish(false), this.#options.sessionTimeoutMs ?? 10_000);
      consumer.on('consumer:heartbeat:start', onStart);
      consumer.on('consumer:heartbeat:end', onEnd);
      consumer.on('consumer:heartbeat:error', onFail);
      consumer.on('consumer:group:join', onFail);
      consumer.on('consumer:group:rejoin', onFail);
    });
  }

  async #fetchAndProcess(): Promise<void> {
    const consumer = this.#consumer;
    if (consumer === undefined) return;
    const o = this.#options;
    const metadata = await consumer.metadata({ topics: [o.inputTopic] });
    const topic = metadata.topics.get(o.inputTopic);
    if (topic === undefined) throw new KafkaRequestError(`Topic ${o.inputTopic} does not exist`);
    if (topic.partitionsCount !== o.maxParallelism) {
      throw new KafkaJobOptionsError(
        `Topic ${o.inputTopic} has ${topic.partitionsCount} partitions but maxParallelism is ${o.maxParallelism}; ` +
          'a co-partitioned input needs one partition per key group.',
      );
    }
    const positions = new Map([...this.#owned.values()].map((state) => [state.keyGroup, state.position]));
    const fetched = await fetchCommitted(consumer, o.inputTopic, topic, positions, 100);
    await Promise.all(
      [...fetched].map(([keyGroup, records]) => {
        const state = this.#owned.get(keyGroup);
        return state === undefined ? undefined : this.#processPartition(state, records);
      }),
    );
  }

  async #processPartition(state: KeyGroupState<K>, records: readonly InputRecord[]): Promise<void> {
    const o = this.#options;
    let outputs = this.#outputs.get(state.keyGroup);
    if (outputs === undefined) {
      outputs = [];
      this.#outputs.set(state.keyGroup, outputs);
    }
    const sink = outputs;
    const emit = (output: OutputRecord): void => {
      sink.push(output);
    };
    for (const record of records) {
      const key = o.keyOf(record);
      const keyGroup = assignToKeyGroup(o.keySerializer.serialize(key), o.maxParallelism);
      if (keyGroup !== state.keyGroup) {
        throw new MisroutedRecordError(
          `Record ${record.topic}-${record.partition}@${record.offset} has a key of key group ${keyGroup}, not ` +
            `${state.keyGroup}: the input is not partitioned by keyGroupPartition(key, ${o.maxParallelism}).`,
        );
      }
      await state.backend.withKey(key, (ctx) => o.process(record, ctx, emit));
      state.position = record.offset + 1n;
      this.#records += 1;
    }
  }

  /**
   * Checkpoint N of every changed key group, then one transaction with outputs and offsets.
   * `inLoop`: a commit of the processing loop, which waits after a deferred one (below); the
   * last commit before stopping does not.
   */
  async #commit(clientId: string, inLoop = false): Promise<void> {
    const consumer = this.#consumer;
    const producer = this.#producer;
    if (consumer === undefined || producer === undefined) return;
    const o = this.#options;
    const dirty = [...this.#owned.values()].filter((s) => s.dirty);
    if (dirty.length === 0) return;
    const generation = this.#generation;
    const cooperative = this.#cooperative;
    const owns = (state: KeyGroupState<K>): boolean => this.#owned.get(state.keyGroup) === state;
    const generationMoved = new CommitFailedError('a key group left the worker during the commit', false);
    const deferredIn = this.#deferredIn;
    if (inLoop && deferredIn !== undefined) {
      if (deferredIn.generation === generation) {
        // The group refused this generation and the consumer has not reported the next one yet.
        // Waiting longer than a session means this member was dropped: start over from the
        // committed state, as a refused commit does with eager rebalancing.
        if (Date.now() - deferredIn.since < (o.sessionTimeoutMs ?? 10_000)) return;
        this.#deferredIn = undefined;
        await this.#rollback(clientId, 'transaction', new CommitFailedError('no new generation came', true));
        return;
      }
      this.#deferredIn = undefined;
    }
    const memberId = consumer.memberId;
    let stage = 'state';
    let committedStates: { state: KeyGroupState<K>; checkpointId: number; position: bigint }[] = [];
    let transaction: Awaited<ReturnType<typeof producer.beginTransaction>> | undefined;
    const sink = o.sink;
    const delivery = sink?.delivery ?? 'after-commit';
    // Cooperative: the generation this commit's offsets could not go in, if any.
    let refusedIn = generation;
    try {
      if (sink !== undefined && delivery === 'at-least-once') {
        // Before the state commit: a crash after this write processes the records again.
        stage = 'sink';
        const records = dirty.flatMap((s) =>
          sinkRecords(s.keyGroup, s.nextCheckpointId, this.#outputs.get(s.keyGroup) ?? []),
        );
        if (records.length > 0) await sink.write(records);
        stage = 'state';
      }
      await o.hooks?.beforeStateCommit?.(dirty.map((s) => s.keyGroup));
      const written = await Promise.allSettled(
        dirty.map(async (state) => ({
          state,
          ...(await state.checkpoint(
            sink !== undefined && delivery === 'after-commit'
              ? (storeOutputs(this.#outputs.get(state.keyGroup) ?? []) as unknown as JsonValue)
              : undefined,
          )),
        })),
      );
      committedStates = written.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const refused = written.flatMap((r, i) =>
        r.status === 'rejected' ? [{ state: dirty[i] as KeyGroupState<K>, error: r.reason as unknown }] : [],
      );
      // Cooperative: a key group the group took away while its state was written may already be
      // claimed by its new owner; the store refuses it and it is left out. The others go on.
      const excused = cooperative && refused.every((r) => isStoreFencing(r.error) && !owns(r.state));
      if (refused.length > 0 && !excused) throw (refused[0] as { error: unknown }).error;
      if (refused.length > 0) {
        this.#fencedByStore += 1;
        const failure = new CommitFailedError(
          `The store refused the state of key groups ${refused.map((r) => r.state.keyGroup).join(', ')} of worker ` +
            `${this.#workerId}: they have a newer owner; the commit goes on without them`,
          true,
          { cause: refused[0]?.error },
        );
        this.#logger.warn(failure.message, { fenced: true });
      }
      await o.hooks?.afterStateCommitted?.(dirty.map((s) => s.keyGroup));
      stage = 'transaction';
      // Cooperative: only key groups still owned go into the transaction (their offsets are
      // committed in the generation the consumer reported last, which assigns them all).
      if (cooperative) committedStates = committedStates.filter((c) => owns(c.state));
      if (committedStates.length === 0) return;
      transaction = await producer.beginTransaction();
      const outputTopic = o.outputTopic ?? '';
      const messages = committedStates.flatMap(({ state: s }) =>
        (o.outputTopic === undefined ? [] : (this.#outputs.get(s.keyGroup) ?? [])).map((r) => ({
          topic: outputTopic,
          value: r.value,
          ...(r.key === undefined ? {} : { key: r.key }),
          ...(r.partition === undefined ? {} : { partition: r.partition }),
        })),
      );
      if (messages.length > 0) await transaction.send({ messages });
      await transaction.addConsumer(consumer);
      stage = 'offsets';
      const coordinatorId = consumer.coordinatorId;
      // Eager: the generation the key groups were opened or last reconciled in. Cooperative: the
      // newest one the consumer reported, if every key group of this transaction is still owned
      // in it (otherwise the outputs just sent belong to a key group that left: start over).
      const offsetsGeneration = cooperative ? this.#generation : generation;
      const offsetsMember = cooperative ? consumer.memberId : memberId;
      if (cooperative && !committedStates.every((c) => owns(c.state))) {
        refusedIn = this.#revokedIn;
        throw generationMoved;
      }
      refusedIn = offsetsGeneration;
      for (const { state, position } of committedStates) {
        // The offset commit carries the generation the key group was assigned in: after a
        // rebalance the coordinator refuses it (ILLEGAL_GENERATION), so a worker that lost the
        // key group cannot commit offsets for it.
        const marker = {
          topic: o.inputTopic,
          partition: state.keyGroup,
          offset: position - 1n,
          metadata: {
            consumer: {
              groupId: o.groupId,
              generationId: offsetsGeneration,
              memberId: offsetsMember,
              coordinatorId,
            },
          },
        };
        await transaction.addOffset(marker as unknown as Message<Buffer, Buffer, Buffer, Buffer>);
      }
      stage = 'end';
      await transaction.commit();
    } catch (error) {
      await transaction?.abort().catch(() => undefined);
      if (
        cooperative &&
        stage === 'offsets' &&
        (error === generationMoved ||
          (!isStoreFencing(error) && GENERATION_MOVED.test(inspect(error, { depth: 6 }))))
      ) {
        // Cooperative: the group moved to a new generation while this commit ran (its offsets
        // were refused, so nothing of it is visible). The key groups this member keeps are still
        // its own and their state is in memory: keep them, with their outputs, and commit again
        // in the new generation (the checkpoint just written stays unconfirmed, as after a
        // crash). Key groups the new generation takes away leave when the consumer reports it.
        // The next commit waits for a generation after the refused one (the one whose offsets
        // the coordinator refused, or the one that took a key group of this commit away): no
        // wait if the consumer has reported it already. A commit can span both rounds of a
        // rebalance, the revoking one and the one after it; waiting for a generation after the
        // newest would wait for one that does not come, then roll back.
        this.#deferred += 1;
        this.#deferredIn = { generation: refusedIn, since: Date.now() };
        this.#logger.info('commit deferred to the next generation', {
          generation: refusedIn,
          worker: this.#workerId,
        });
        await this.#producer?.close(true).catch(() => undefined);
        this.#producer = this.#newProducer(clientId);
        return;
      }
      await this.#rollback(clientId, stage === 'offsets' || stage === 'end' ? 'transaction' : stage, error);
      return;
    }
    this.#checkpoints += 1;
    const delivered: { keyGroup: number; checkpointId: number; outputs: OutputRecord[] }[] = [];
    for (const { state, checkpointId, position } of committedStates) {
      delivered.push({
        keyGroup: state.keyGroup,
        checkpointId,
        outputs: this.#outputs.get(state.keyGroup) ?? [],
      });
      this.#outputs.delete(state.keyGroup);
      await state.confirm(checkpointId, position);
    }
    if (sink !== undefined && delivery === 'after-commit') {
      // After the commit point: a crash before the write ends restores this checkpoint, whose
      // metadata holds these outputs, and writes them again under the same keys.
      const records = delivered.flatMap((d) => sinkRecords(d.keyGroup, d.checkpointId, d.outputs));
      if (records.length > 0) {
        try {
          await sink.write(records);
        } catch (error) {
          await this.#rollback(clientId, 'sink', error);
        }
      }
    }
  }

  /** Writes again the outputs of the checkpoints just restored (`after-commit` sinks). */
  async #redeliver(states: readonly KeyGroupState<K>[]): Promise<void> {
    const sink = this.#options.sink;
    if (sink === undefined || (sink.delivery ?? 'after-commit') !== 'after-commit') return;
    const records = states.flatMap((state) =>
      state.restored === undefined
        ? []
        : sinkRecords(
            state.keyGroup,
            state.restored.checkpointId,
            loadOutputs(state.restored.metadata.sinkOutputs),
          ),
    );
    if (records.length > 0) await sink.write(records);
  }

  /** Drops every key group and its uncommitted work; the next loop restores the committed state. */
  async #rollback(clientId: string, stage: string, error: unknown): Promise<void> {
    const byStore = isStoreFencing(error);
    const byKafka = !byStore && FENCING_CODES.test(inspect(error, { depth: 6 }));
    const fenced = byStore || byKafka;
    const failure = new CommitFailedError(
      stage === 'open'
        ? `Worker ${this.#workerId} lost a key group to a newer claim while restoring it; letting go`
        : stage === 'sink'
          ? `The sink of worker ${this.#workerId} failed to write; rolling back to the committed state`
          : `Checkpoint ${stage} of worker ${this.#workerId} was refused; rolling back`,
      fenced,
      { cause: error },
    );
    this.#rollbacks += 1;
    if (byStore) this.#fencedByStore += 1;
    if (byKafka) this.#fencedByKafka += 1;
    this.#logger.warn(failure.message, { fenced, error: inspect(error, { depth: 3 }).slice(0, 800) });
    await this.#releaseAll();
    if (stage === 'transaction') {
      await this.#producer?.close(true).catch(() => undefined);
      this.#producer = this.#newProducer(clientId);
    }
    this.#assignmentChanged = true;
    // A fenced worker's assignment is most likely stale: its consumer has not yet learned of the
    // rebalance that gave the key groups away. Reopening them now would claim them back from
    // their new owner. Wait for the group's next assignment, or a session timeout if none comes
    // (then this worker was the rightful owner and a stale one had claimed the key groups).
    if (fenced) this.#reopenNotBefore = Date.now() + (this.#options.sessionTimeoutMs ?? 10_000);
    // A failing sink is tried again after an interval, not in a tight loop.
    else if (stage === 'sink')
      this.#reopenNotBefore = Date.now() + (this.#options.checkpointIntervalMs ?? 500);
  }

  async #releaseAll(): Promise<void> {
    // Key groups still opening are closed when their open ends (#adopt, #closeOpenings).
    for (const opening of this.#openings)
      for (const keyGroup of opening.keyGroups) opening.cancelled.add(keyGroup);
    const states = [...this.#owned.values(), ...this.#leaving.splice(0)];
    this.#owned.clear();
    this.#outputs.clear();
    await Promise.all(states.map((s) => s.close().catch(() => undefined)));
  }
}
