import type { KeyedStateBackend, KeyedStateBackendParameters, StateLimits } from '@statebackend/aws-base';
import type { ConformanceHarness } from './conformance-harness.js';

/** Registers the cases of one group with `test`. */
export type ConformanceCaseDefiner = (
  name: string,
  body: (harness: ConformanceHarness) => Promise<void>,
) => void;

/** A named group of conformance cases; the suite is a list of them, and callers may add more. */
export interface ConformanceCaseGroup {
  readonly name: string;
  define(test: ConformanceCaseDefiner): void;
}

/** How the suite creates and disposes the backend under test. */
export interface KeyedStateBackendConformanceOptions {
  /**
   * A fresh keyed backend for `parameters` (job and operator ids unique per case, the clock to
   * use for TTL, the key serializer and key groups). It must start empty.
   */
  create<K>(parameters: KeyedStateBackendParameters<K>): Promise<KeyedStateBackend<K>>;
  /** Releases a backend after its case; `backend.dispose()` by default. */
  dispose?(backend: KeyedStateBackend<unknown>): Promise<void>;
  /** The limits to test at; the backend's own `limits` by default. */
  limits?: StateLimits;
  /** Per-case timeout in milliseconds (remote stores need more); jest's default otherwise. */
  timeoutMs?: number;
  /** More case groups, run after the built-in ones (e.g. restore and rescaling). */
  extraCases?: readonly ConformanceCaseGroup[];
}
