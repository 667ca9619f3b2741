import type { KeyedContext } from '../backend/key-context.js';
import type { TypeSerializer } from '../serialization/type-serializer.js';
import type { NamespacedStateOf } from '../state/namespace.js';
import type { State } from '../state/state.js';
import type { StateDescriptor } from '../state/state-descriptor.js';
import type { TimerService } from './timers/timer.js';

/**
 * What the user's function gets for one record or timer: the key's state (as `withKey` gives it,
 * bound to the key however awaits interleave), its timers and the time.
 */
export interface ProcessContext<K> extends KeyedContext<K> {
  /** The record's event time, or the timer's timestamp; undefined without event time. */
  readonly timestamp: number | undefined;
  /** Timers of this key. */
  readonly timers: TimerService;
}

/** Timer operations of one key, as the driver implements them. */
export interface KeyTimers {
  readonly currentWatermark: number;
  currentProcessingTime(): number;
  register(domain: 'event' | 'processing', timestamp: number, name: string): Promise<void>;
  remove(domain: 'event' | 'processing', timestamp: number, name: string): Promise<void>;
}

/** A {@link ProcessContext} over the backend's key context. */
export class DriverContext<K> implements ProcessContext<K> {
  readonly timestamp: number | undefined;
  readonly timers: TimerService;
  readonly #inner: KeyedContext<K>;

  constructor(inner: KeyedContext<K>, timestamp: number | undefined, timers: KeyTimers) {
    this.#inner = inner;
    this.timestamp = timestamp;
    this.timers = {
      get currentWatermark() {
        return timers.currentWatermark;
      },
      currentProcessingTime: () => timers.currentProcessingTime(),
      registerEventTimeTimer: (t, name = '') => timers.register('event', t, name),
      deleteEventTimeTimer: (t, name = '') => timers.remove('event', t, name),
      registerProcessingTimeTimer: (t, name = '') => timers.register('processing', t, name),
      deleteProcessingTimeTimer: (t, name = '') => timers.remove('processing', t, name),
    };
  }

  get key(): K {
    return this.#inner.key;
  }

  get keyGroup(): number {
    return this.#inner.keyGroup;
  }

  getState<S extends State, T>(descriptor: StateDescriptor<S, T>): S {
    return this.#inner.getState(descriptor);
  }

  getPartitionedState<N, S extends State, T>(
    descriptor: StateDescriptor<S, T>,
    namespaceSerializer: TypeSerializer<N>,
  ): NamespacedStateOf<N, S> {
    return this.#inner.getPartitionedState(descriptor, namespaceSerializer);
  }
}
