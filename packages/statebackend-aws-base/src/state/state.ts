/**
 * The kinds of keyed state, after Flink's. A state's kind is fixed by the descriptor that first
 * registers its name; registering the name again with another kind is an error.
 */
export type StateKind = 'value' | 'list' | 'map' | 'reducing' | 'aggregating';

/**
 * Keyed state of one key (and one namespace). Every operation returns a promise, as in Flink's
 * asynchronous state API, so that a remote store can read on demand; the heap backend answers
 * from memory.
 */
export interface State {
  /** Removes the value of this state for the current key and namespace. */
  clear(): Promise<void>;
}

/**
 * A state values are added to and read back from as a whole: list, reducing and aggregating
 * state.
 *
 * @typeParam IN - what {@link AppendingState.add} takes.
 * @typeParam OUT - what {@link AppendingState.get} returns.
 */
export interface AppendingState<IN, OUT> extends State {
  /** The current value; what it is when nothing was added depends on the kind. */
  get(): Promise<OUT>;
  /** Adds a value: appends it (list), reduces it in (reducing) or aggregates it (aggregating). */
  add(value: IN): Promise<void>;
}

/**
 * An {@link AppendingState} whose values in several namespaces can be merged into one, as
 * session windows need. Merging is offered by the namespaced handle, see
 * `MergingNamespacedState.mergeNamespaces`.
 */
export interface MergingState<IN, OUT> extends AppendingState<IN, OUT> {
  /** Discriminates merging states at the type level; always true. */
  readonly mergeable: true;
}
