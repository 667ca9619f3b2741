import assert from 'node:assert/strict';
import {
  Serializers,
  StateBackendError,
  StateValueTooLargeError,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import type { ConformanceCaseGroup } from './conformance-options.js';
import { inKey } from './helpers.js';

/** Without a declared limit, the suite checks that values this large still round-trip. */
const UNLIMITED_PROBE_BYTES = 4 * 1024 * 1024;

/** Values at the size limits the backend declares (or large ones when it declares none). */
export const limitsCases: ConformanceCaseGroup = {
  name: 'size limits',
  define(test) {
    test('a value of the largest size the backend accepts round-trips byte for byte', async (h) => {
      const backend = await h.backend();
      const size = h.limitsOf(backend).maxValueBytes ?? UNLIMITED_PROBE_BYTES;
      const blob = new ValueStateDescriptor('blob', Serializers.bytes);
      const value = new Uint8Array(size).map((_, i) => (i * 31) & 0xff);
      await inKey(backend, 'k', (ctx) => ctx.getState(blob).update(value));
      const read = await inKey(backend, 'k', (ctx) => ctx.getState(blob).value());
      assert.ok(read !== undefined);
      assert.equal(read.length, size);
      assert.ok(Buffer.from(read).equals(Buffer.from(value)));
    });

    test('a value one byte over the declared limit is a StateValueTooLargeError; the old value stays', async (h) => {
      const backend = await h.backend();
      const limit = h.limitsOf(backend).maxValueBytes;
      const blob = new ValueStateDescriptor('blob', Serializers.bytes);
      await inKey(backend, 'k', (ctx) => ctx.getState(blob).update(new Uint8Array([1])));
      if (limit === undefined) {
        // No limit: a value well beyond any store's item limit is accepted.
        await inKey(backend, 'k', (ctx) =>
          ctx.getState(blob).update(new Uint8Array(UNLIMITED_PROBE_BYTES + 1)),
        );
        assert.equal(
          (await inKey(backend, 'k', (ctx) => ctx.getState(blob).value()))?.length,
          UNLIMITED_PROBE_BYTES + 1,
        );
        return;
      }
      await assert.rejects(
        inKey(backend, 'k', (ctx) => ctx.getState(blob).update(new Uint8Array(limit + 1))),
        (error: unknown) => {
          // StateValueTooLargeError, or a store's own typed error of the same meaning.
          assert.ok(error instanceof StateBackendError, `expected a StateBackendError, got ${String(error)}`);
          assert.ok(error instanceof StateValueTooLargeError || /TooLarge/.test(error.name), error.name);
          assert.match(error.message, /blob/);
          return true;
        },
      );
      assert.deepEqual(await inKey(backend, 'k', (ctx) => ctx.getState(blob).value()), new Uint8Array([1]));
    });

    test('a key of the largest size the backend accepts works', async (h) => {
      const backend = await h.backend();
      const size = Math.min(h.limitsOf(backend).maxKeyBytes ?? 64 * 1024, 64 * 1024);
      const key = 'k'.repeat(size);
      const state = new ValueStateDescriptor('v', Serializers.int);
      await inKey(backend, key, (ctx) => ctx.getState(state).update(1));
      assert.equal(await inKey(backend, key, (ctx) => ctx.getState(state).value()), 1);
      assert.equal(await inKey(backend, key.slice(1), (ctx) => ctx.getState(state).value()), undefined);
    });
  },
};
