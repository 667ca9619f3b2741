import assert from 'node:assert/strict';
import {
  InvalidStateDescriptorError,
  ListStateDescriptor,
  MapStateDescriptor,
  Serializers,
  StateRegistrationError,
  StateTtlConfig,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import type { ConformanceCaseGroup } from './conformance-options.js';
import { inKey } from './helpers.js';

/** State registration: one kind, compatible serializers and one TTL per name. */
export const registrationCases: ConformanceCaseGroup = {
  name: 'state registration',
  define(test) {
    test('a name reused with another kind is a StateRegistrationError naming both kinds', async (h) => {
      const backend = await h.backend();
      backend.registerState(new ValueStateDescriptor('events', Serializers.string));
      await inKey(backend, 'k', (ctx) => {
        assert.throws(
          () => ctx.getState(new ListStateDescriptor('events', Serializers.string)),
          (error: unknown) => {
            assert.ok(error instanceof StateRegistrationError);
            assert.equal(error.stateName, 'events');
            assert.match(error.message, /value state.*list state/);
            return true;
          },
        );
      });
    });

    test('a name reused with an incompatible serializer is a StateRegistrationError naming both', async (h) => {
      const backend = await h.backend();
      await inKey(backend, 'k', (ctx) =>
        ctx.getState(new ValueStateDescriptor('count', Serializers.int)).update(1),
      );
      assert.throws(
        () => backend.registerState(new ValueStateDescriptor('count', Serializers.string)),
        (error: unknown) => {
          assert.ok(error instanceof StateRegistrationError);
          assert.match(error.message, /int@1/);
          assert.match(error.message, /string@1/);
          return true;
        },
      );
      backend.registerState(new MapStateDescriptor('map', Serializers.int, Serializers.int));
      assert.throws(
        () => backend.registerState(new MapStateDescriptor('map', Serializers.string, Serializers.int)),
        (error: unknown) =>
          error instanceof StateRegistrationError && /map key serializer/.test(error.message),
      );
    });

    test('another descriptor with the same name, kind and serializers reaches the same state', async (h) => {
      const backend = await h.backend();
      await inKey(backend, 'k', (ctx) =>
        ctx.getState(new ValueStateDescriptor('count', Serializers.int)).update(41),
      );
      const again = new ValueStateDescriptor('count', Serializers.int, 0);
      assert.equal(await inKey(backend, 'k', (ctx) => ctx.getState(again).value()), 41);
      assert.deepEqual(
        backend.registeredStates().map((state) => [state.name, state.kind]),
        [['count', 'value']],
      );
    });

    test('a name reused with another TTL is a StateRegistrationError', async (h) => {
      const backend = await h.backend();
      backend.registerState(new ValueStateDescriptor('v', Serializers.int));
      const withTtl = new ValueStateDescriptor('v', Serializers.int).enableTimeToLive(
        StateTtlConfig.newBuilder(1_000).build(),
      );
      assert.throws(() => backend.registerState(withTtl), StateRegistrationError);
    });

    test('a map-key serializer that is not deterministic is rejected when registering', async (h) => {
      const backend = await h.backend();
      const map = new MapStateDescriptor('m', Serializers.json<object>(), Serializers.int);
      assert.throws(
        () => backend.registerState(map),
        (error: unknown) => {
          assert.ok(error instanceof InvalidStateDescriptorError);
          assert.match(error.message, /'json' is not deterministic/);
          return true;
        },
      );
    });
  },
};
