import { VoidNamespace } from '../serialization/void-namespace-serializer.js';
import type { SerializedRef } from './state-store.js';

/** The serialized void namespace: no bytes, the empty id. Cells of non-namespaced states use it. */
export const VOID_NAMESPACE_REF: SerializedRef<VoidNamespace> = Object.freeze({
  value: VoidNamespace,
  bytes: new Uint8Array(0),
  id: '',
});
