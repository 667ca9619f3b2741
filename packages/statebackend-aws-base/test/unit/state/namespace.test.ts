import { DeserializationError, SerializationError } from '../../../src/index.js';
import { voidNamespaceSerializer } from '../../../src/serialization/void-namespace-serializer.js';
import { VoidNamespace } from '../../../src/spi.js';

describe('voidNamespaceSerializer', () => {
  it('writes the void namespace as no bytes and reads it back', () => {
    const bytes = voidNamespaceSerializer.serialize(VoidNamespace);
    expect(bytes.length).toBe(0);
    expect(voidNamespaceSerializer.deserialize(bytes)).toBe(VoidNamespace);
    expect(voidNamespaceSerializer.deterministic).toBe(true);
    expect(String(VoidNamespace)).toBe('VoidNamespace');
  });

  it('rejects anything else', () => {
    expect(() => voidNamespaceSerializer.serialize({} as VoidNamespace)).toThrow(SerializationError);
    expect(() => voidNamespaceSerializer.deserialize(new Uint8Array([1]))).toThrow(DeserializationError);
  });
});
