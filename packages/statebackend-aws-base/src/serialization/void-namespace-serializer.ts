import { BaseSerializer } from './base-serializer.js';
import type { TypeSerializer } from './type-serializer.js';

/**
 * The namespace of state that is not namespaced: every state obtained with `getState` lives in
 * it. Namespaces (windows, typically) come from `getPartitionedState`.
 */
export const VoidNamespace = Object.freeze({ toString: () => 'VoidNamespace' });
export type VoidNamespace = typeof VoidNamespace;

const EMPTY = new Uint8Array(0);

/** Serializes {@link VoidNamespace} as no bytes. */
class VoidNamespaceSerializer extends BaseSerializer<VoidNamespace> {
  readonly id = 'void-namespace';
  readonly deterministic = true;

  serialize(value: VoidNamespace): Uint8Array {
    if (value !== VoidNamespace) this.rejectValue(value, 'VoidNamespace only');
    return EMPTY;
  }

  deserialize(bytes: Uint8Array): VoidNamespace {
    if (bytes.length !== 0) this.rejectBytes(bytes, 'the void namespace has no bytes');
    return VoidNamespace;
  }
}

/** The serializer of {@link VoidNamespace}. */
export const voidNamespaceSerializer: TypeSerializer<VoidNamespace> = new VoidNamespaceSerializer();
