import { HeapKeyedStateBackend } from '../../../src/heap/heap-keyed-state-backend.js';
import {
  InvalidTtlError,
  KeyGroupRange,
  KeySerializationError,
  ListStateDescriptor,
  SerializationError,
  Serializers,
  StateBackendError,
  StateRegistrationError,
  StateSerializationError,
  StateTtlConfig,
  ValueStateDescriptor,
} from '../../../src/index.js';

const backend = () =>
  new HeapKeyedStateBackend({
    jobId: 'job',
    operatorId: 'op',
    keyGroupRange: KeyGroupRange.of(0, 127),
    maxParallelism: 128,
    keySerializer: Serializers.string,
  });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('typed, actionable errors', () => {
  it('a value the serializer cannot encode names the state, what was received and what to do', async () => {
    const circular: { self?: unknown } = {};
    circular.self = circular;
    const profile = new ValueStateDescriptor<unknown>('profile');
    const error = await rejection(backend().withKey('k', (ctx) => ctx.getState(profile).update(circular)));
    expect(error).toBeInstanceOf(StateSerializationError);
    expect(error).toBeInstanceOf(SerializationError);
    expect(error).toBeInstanceOf(StateBackendError);
    expect(error).toMatchObject({
      name: 'StateSerializationError',
      stateName: 'profile',
      role: 'value',
      serializerId: 'msgpack',
    });
    expect((error as Error).message).toMatch(
      /^State 'profile': the value serializer 'msgpack' cannot encode the value received \(object, circular at \$\.self\); it accepts .*without cycles.*\. Pass a value it accepts, or give the descriptor a serializer for this type\.$/,
    );
    expect((error as Error).cause).toBeInstanceOf(SerializationError);
  });

  it('an int state given a fraction says which number and what the serializer takes', async () => {
    const clicks = new ValueStateDescriptor('clicks', Serializers.int);
    const error = await rejection(backend().withKey('k', (ctx) => ctx.getState(clicks).update(0.5)));
    expect((error as Error).message).toContain(
      "State 'clicks': the value serializer 'int' cannot encode the value received (number 0.5); it accepts integers from -2147483648 to 2147483647",
    );
  });

  it('a name reused with another kind names both registrations', () => {
    const keyed = backend();
    keyed.registerState(new ValueStateDescriptor('events', Serializers.string));
    expect(() => keyed.registerState(new ListStateDescriptor('events', Serializers.string))).toThrow(
      new StateRegistrationError(
        'events',
        'a value state (value serializer string@1, no TTL)',
        'a list state (element serializer string@1, no TTL)',
        'a state cannot change its kind (value → list)',
      ),
    );
  });

  it('an incompatible serializer names both serializers and why', () => {
    const keyed = backend();
    keyed.registerState(new ValueStateDescriptor('count', Serializers.int));
    expect(() => keyed.registerState(new ValueStateDescriptor('count', Serializers.string))).toThrow(
      "State 'count' is registered as a value state (value serializer int@1, no TTL), but was requested as a value " +
        "state (value serializer string@1, no TTL): the value serializer string@1 cannot replace int@1 ('string' " +
        "cannot read the 'int' format). Give the new state another name, or request it with the same kind, " +
        'serializers and TTL.',
    );
  });

  it('a TTL of zero or less says what is accepted', () => {
    expect(() => StateTtlConfig.newBuilder(-1)).toThrow(
      new InvalidTtlError(
        'ttl',
        '-1',
        'a finite number of milliseconds > 0 (to keep values forever, do not enable TTL)',
      ),
    );
  });

  it('a key the key serializer rejects names the serializer, the key type and what to do', async () => {
    const error = await rejection(backend().withKey(Symbol('k') as unknown as string, () => undefined));
    expect(error).toBeInstanceOf(KeySerializationError);
    expect((error as Error).message).toBe(
      "The key serializer 'string' cannot encode the key received (symbol); it accepts strings. Pass keys of the " +
        "key serializer's type, or create the keyed backend with a key serializer for them.",
    );
  });
});
