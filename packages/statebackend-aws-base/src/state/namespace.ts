import type { MergingState, State } from './state.js';

/**
 * A state registered with a namespace serializer, for one key: pick the namespace with
 * {@link NamespacedState.inNamespace}. Handles are bound to their key and namespace, so records
 * for different windows can be processed concurrently without a shared "current namespace".
 *
 * @example
 * ```ts
 * const perWindow = ctx.getPartitionedState(counts, Serializers.int);
 * const inWindow = perWindow.inNamespace(windowStart);
 * await inWindow.update((await inWindow.value()) + 1);
 * ```
 */
export interface NamespacedState<N, S extends State> {
  /** The state of the current key in `namespace`. */
  inNamespace(namespace: N): S;
}

/**
 * A namespaced list, reducing or aggregating state, whose namespaces can be merged (session
 * windows).
 */
export interface MergingNamespacedState<N, S extends State> extends NamespacedState<N, S> {
  /**
   * Merges the state of the current key in each of `sources` into `target`, then clears the
   * sources: lists are concatenated in the order of `sources` (after what `target` holds),
   * reducing state is reduced and aggregating accumulators are merged. Sources without state are
   * skipped; `target` may appear among `sources` and is then not cleared.
   */
  mergeNamespaces(target: N, sources: readonly N[]): Promise<void>;
}

/** The namespaced handle type for a state type: merging states can merge namespaces. */
export type NamespacedStateOf<N, S extends State> =
  S extends MergingState<unknown, unknown> ? MergingNamespacedState<N, S> : NamespacedState<N, S>;
