import { bytesToId } from '../../backend/byte-id.js';
import type { KeyedStateBackend } from '../../backend/keyed-state-backend.js';
import { Serializers } from '../../serialization/serializers.js';
import { MapStateDescriptor } from '../../state/map-state.js';
import type { TimeDomain } from './timer.js';
import type { QueuedTimer, TimerQueue } from './timer-queue.js';

/**
 * The keyed state the driver keeps timers in: per key, a map from `domain|timestamp|name` to the
 * timestamp. Being ordinary keyed state, timers are checkpointed, restored and rescaled with the
 * rest of the key's state (Flink keeps its timers in the keyed backend for the same reason).
 */
export const TIMER_STATE_NAME = '__driver_timers';

/** The descriptor of {@link TIMER_STATE_NAME}. */
export const timerStateDescriptor = new MapStateDescriptor<string, number>(
  TIMER_STATE_NAME,
  Serializers.string,
  Serializers.number,
);

/** The map key a timer is stored under. */
export function timerMapKey(domain: TimeDomain, timestamp: number, name: string): string {
  return `${domain}|${timestamp}|${name}`;
}

/** Parses a map key written by {@link timerMapKey}; undefined for anything else. */
export function parseTimerMapKey(
  mapKey: string,
): { domain: TimeDomain; timestamp: number; name: string } | undefined {
  const first = mapKey.indexOf('|');
  const second = mapKey.indexOf('|', first + 1);
  if (first < 0 || second < 0) return undefined;
  const domain = mapKey.slice(0, first);
  const timestamp = Number(mapKey.slice(first + 1, second));
  if ((domain !== 'event' && domain !== 'processing') || !Number.isFinite(timestamp)) return undefined;
  return { domain, timestamp, name: mapKey.slice(second + 1) };
}

/** The queue entry of a timer of the key whose serialized bytes give `keyId`. */
export function queuedTimer<K>(
  key: K,
  keyId: string,
  domain: TimeDomain,
  timestamp: number,
  name: string,
): QueuedTimer<K> {
  return { id: `${keyId}\u0100${timerMapKey(domain, timestamp, name)}`, keyId, key, domain, timestamp, name };
}

/** The id of `key` as timers record it: its serialized bytes. */
export function timerKeyId<K>(backend: KeyedStateBackend<K>, key: K): string {
  return bytesToId(backend.keySerializer.serialize(key));
}

/**
 * Rebuilds the in-memory timer queues from the timer state (after a restore): every key with
 * timers is read once. Returns the number of timers found.
 */
export async function loadTimers<K>(
  backend: KeyedStateBackend<K>,
  queues: Readonly<Record<TimeDomain, TimerQueue<K>>>,
): Promise<number> {
  backend.registerState(timerStateDescriptor);
  let found = 0;
  for await (const key of backend.keys(TIMER_STATE_NAME)) {
    const mapKeys = await backend.withKey(key, (ctx) => ctx.getState(timerStateDescriptor).keys());
    const keyId = timerKeyId(backend, key);
    for (const mapKey of mapKeys) {
      const parsed = parseTimerMapKey(mapKey);
      if (parsed === undefined) continue;
      queues[parsed.domain].add(queuedTimer(key, keyId, parsed.domain, parsed.timestamp, parsed.name));
      found++;
    }
  }
  return found;
}
