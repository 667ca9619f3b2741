/**
 * Key groups a backend cannot serve yet (a lazy restore still loading them). While a backend has
 * one, a record whose key group is not ready waits for that key group, and only for it.
 */
export interface KeyGroupGate {
  /** Whether `keyGroup` can be served now: one array read. */
  isReady(keyGroup: number): boolean;
  /**
   * Resolves once `keyGroup` can be served, or at least the key whose id (serialized bytes, one
   * character per byte) is `keyId`; rejects with the typed error when it never can.
   */
  whenReady(keyGroup: number, keyId?: string): Promise<void>;
}
