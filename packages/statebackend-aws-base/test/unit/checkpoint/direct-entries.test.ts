import { Serializers, type TypeSerializer } from '../../../src/index.js';
import { directEncodingOf } from '../../../src/serialization/direct-encoding.js';
import { KeyGroupFileWriter } from '../../../src/spi.js';

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

  it('writes plain value cells many per call as it writes them one by one', () => {
    const keyIds = Array.from({ length: 300 }, (_, i) => `key-${i}`);
    const values = keyIds.map((_, i) => (i % 3 === 0 ? 'é'.repeat(i) : `v${i}`));
    const write = (bulk: boolean): Uint8Array => {
      const writer = new KeyGroupFileWriter({ kind: 'data', stateNames: ['a', 'b'], chunkSize: 1000 });
      const encoding = directEncodingOf(Serializers.string);
      if (encoding === undefined) throw new Error('no direct encoding');
      const chunks: Uint8Array[] = [];
      writer.beginKeyGroup(3);
      if (bulk) {
        writer.writeValueEntriesDirect(1, keyIds, values, 0, 120, encoding);
        writer.writeValueEntriesDirect(1, keyIds, values, 120, 300, encoding);
      } else {
        for (const [i, keyId] of keyIds.entries()) {
          writer.writeEntryWithIds(
            1,
            keyId,
            '',
            undefined,
            Serializers.string.serialize(values[i] as string),
            undefined,
          );
        }
      }
      writer.endKeyGroup();
      chunks.push(writer.finish());
      expect(writer.summary().entries).toBe(300);
      return new Uint8Array(Buffer.concat(chunks));
    };
    expect(write(true)).toEqual(write(false));
  });
});
