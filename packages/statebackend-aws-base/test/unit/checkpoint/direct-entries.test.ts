import { KeyGroupFileWriter, Serializers, type TypeSerializer } from '../../../src/index.js';
import { directEncodingOf } from '../../../src/serialization/direct-encoding.js';

// Entries whose values a writer encodes directly make the same file, byte for byte, as entries
// serialized first: the format does not change, and earlier readers read either.

type Value = { serializer: TypeSerializer<unknown>; value: unknown };

const cases: Value[] = [
  { serializer: Serializers.int as TypeSerializer<unknown>, value: -123_456 },
  { serializer: Serializers.number as TypeSerializer<unknown>, value: Math.PI },
  { serializer: Serializers.string as TypeSerializer<unknown>, value: 'clicks: 42' },
  { serializer: Serializers.string as TypeSerializer<unknown>, value: 'Grüße '.repeat(40) },
  { serializer: Serializers.boolean as TypeSerializer<unknown>, value: true },
];

function file(direct: boolean): Uint8Array {
  const writer = new KeyGroupFileWriter({ kind: 'data', stateNames: ['s'], chunkSize: 256 });
  const chunks: Uint8Array[] = [];
  for (let keyGroup = 0; keyGroup < 20; keyGroup++) {
    writer.beginKeyGroup(keyGroup);
    for (const [i, { serializer, value }] of cases.entries()) {
      const keyId = `user-${keyGroup}-${i}`;
      const namespaceId = i % 2 === 0 ? '' : 'window\u0001';
      const userKeyId = i === 3 ? 'mk' : undefined;
      const ttl = i === 1 ? 1_767_225_600_123 : undefined;
      const encoding = directEncodingOf(serializer);
      if (direct && encoding !== undefined) {
        writer.writeEntryWithIdsDirect(0, keyId, namespaceId, userKeyId, value, encoding, ttl);
      } else {
        writer.writeEntryWithIds(0, keyId, namespaceId, userKeyId, serializer.serialize(value), ttl);
      }
    }
    writer.endKeyGroup();
    const chunk = writer.takeChunk();
    if (chunk !== undefined) chunks.push(chunk);
  }
  chunks.push(writer.finish());
  return new Uint8Array(Buffer.concat(chunks));
}

describe('KeyGroupFileWriter.writeEntryWithIdsDirect', () => {
  it('writes the same file as writeEntryWithIds with serialized values', () => {
    expect(file(true)).toEqual(file(false));
  });
});
