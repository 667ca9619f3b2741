import type {
  KeyGroupBackendParameters,
  KeyGroupBackends,
  OpenedKeyGroupBackend,
  StoredKeyGroupCheckpoint,
} from '../../src/index.js';
import type { Gate } from './gate.js';

/**
 * Key group backends whose restore reads can be held: once {@link hold} armed a gate, listing the
 * checkpoints of a key group and opening one wait at it (the key groups a worker gains from then
 * on). Commits of the key groups it already owns go through untouched.
 */
export class HeldKeyGroupBackends implements KeyGroupBackends {
  readonly #inner: KeyGroupBackends;
  #gate: Gate | undefined;
  /** Key groups whose restore waited at the gate. */
  readonly held = new Set<number>();

  constructor(inner: KeyGroupBackends) {
    this.#inner = inner;
  }

  get location(): string {
    return this.#inner.location;
  }

  /** From now on, restores wait until `gate` opens. */
  hold(gate: Gate): void {
    this.#gate = gate;
  }

  async checkpoints<K>(
    keyGroup: number,
    parameters: KeyGroupBackendParameters<K>,
  ): Promise<readonly StoredKeyGroupCheckpoint[]> {
    await this.#pass(keyGroup);
    return this.#inner.checkpoints(keyGroup, parameters);
  }

  async open<K>(
    keyGroup: number,
    restoreFrom: number | undefined,
    parameters: KeyGroupBackendParameters<K>,
  ): Promise<OpenedKeyGroupBackend<K>> {
    await this.#pass(keyGroup);
    return this.#inner.open(keyGroup, restoreFrom, parameters);
  }

  async #pass(keyGroup: number): Promise<void> {
    const gate = this.#gate;
    if (gate === undefined || gate.isOpen) return;
    this.held.add(keyGroup);
    await gate.pass();
  }
}
