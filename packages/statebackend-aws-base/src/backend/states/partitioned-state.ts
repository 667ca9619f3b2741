import { StateBackendError, StateSerializationError } from '../../errors.js';
import { describeValue } from '../../serialization/describe-value.js';
import { isBuiltInStringSerializer } from '../../serialization/string-serializer.js';
import type { TypeSerializer } from '../../serialization/type-serializer.js';
import { isAscii } from '../../serialization/utf8.js';
import type { MergingNamespacedState } from '../../state/namespace.js';
import type { State } from '../../state/state.js';
import { bytesToId, cellId, IdOnlyRef, stringKeyId } from '../byte-id.js';
import type { KeyContext } from '../key-context.js';
import type { RegisteredKeyedState } from '../registered-state.js';
import type { SerializedRef } from '../state-store.js';
import type { HandleFactory } from './handle-factory.js';

interface Mergeable {
  mergeFrom(sources: readonly State[]): Promise<void>;
}

function isMergeable(handle: State): handle is State & Mergeable {
  return typeof (handle as Partial<Mergeable>).mergeFrom === 'function';
}

/** The state of one key across the namespaces of a namespace serializer. */
export class PartitionedState<N> implements MergingNamespacedState<N, State> {
  readonly #state: RegisteredKeyedState;
  readonly #keyContext: KeyContext<unknown>;
  readonly #factory: HandleFactory;

  constructor(state: RegisteredKeyedState, keyContext: KeyContext<unknown>, factory: HandleFactory) {
    this.#state = state;
    this.#keyContext = keyContext;
    this.#factory = factory;
  }

  inNamespace(namespace: N): State {
    const ref = serializeNamespace(this.#state, namespace);
    return this.#factory(this.#keyContext, ref, cellId(this.#keyContext.keyId, ref.id));
  }

  async mergeNamespaces(target: N, sources: readonly N[]): Promise<void> {
    const targetHandle = this.inNamespace(target);
    if (!isMergeable(targetHandle)) {
      throw new StateBackendError(
        `State '${this.#state.name}' is a ${this.#state.kind} state, which cannot merge namespaces; ` +
          'only list, reducing and aggregating states can.',
      );
    }
    await targetHandle.mergeFrom(sources.map((source) => this.inNamespace(source)));
  }
}

/** The serialized form of a namespace; throws a typed error for one its serializer rejects. */
export function serializeNamespace(state: RegisteredKeyedState, namespace: unknown): SerializedRef {
  const serializer: TypeSerializer<unknown> = state.namespaceSerializer;
  // An ASCII string under the built-in string serializer is its own id (see `KeyContext.keyId`).
  if (typeof namespace === 'string' && isBuiltInStringSerializer(serializer) && isAscii(namespace)) {
    return new IdOnlyRef(namespace, namespace);
  }
  let bytes: Uint8Array;
  try {
    bytes = serializer.serialize(namespace);
  } catch (error) {
    throw new StateSerializationError(
      state.name,
      'namespace',
      serializer.snapshot().id,
      describeValue(namespace),
      error,
    );
  }
  return {
    value: namespace,
    bytes,
    id: typeof namespace === 'string' ? stringKeyId(namespace, bytes) : bytesToId(bytes),
  };
}
