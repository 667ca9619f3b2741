import { InvalidStateDescriptorError, StateRegistrationError } from '../errors.js';
import { formatSnapshot } from '../serialization/base-serializer.js';
import type { TypeSerializer } from '../serialization/type-serializer.js';
import { voidNamespaceSerializer } from '../serialization/void-namespace-serializer.js';
import type { State, StateKind } from '../state/state.js';
import type { StateDescriptor } from '../state/state-descriptor.js';
import type { StateTtlConfig } from '../state/ttl/state-ttl-config.js';
import { fastAcceptCheck } from './states/fast-validation.js';

/**
 * A state as a keyed backend registered it: everything a store and a snapshot need to know about
 * it, independent of the descriptor objects that request it later.
 */
export class RegisteredKeyedState {
  readonly name: string;
  readonly kind: StateKind;
  /** Serializer of the stored value, list element, map value or accumulator. */
  readonly serializer: TypeSerializer<unknown>;
  /** Serializer of the map keys (map state only). */
  readonly userKeySerializer: TypeSerializer<unknown> | undefined;
  readonly namespaceSerializer: TypeSerializer<unknown>;
  /** False for states obtained with `getState` (they live in the void namespace). */
  readonly namespaced: boolean;
  readonly ttl: StateTtlConfig | undefined;
  /** Position in registration order, for stores that keep per-state arrays. */
  readonly index: number;
  /** @internal Checks a value against a built-in serializer of immutable values without serializing it. */
  readonly acceptsWithoutSerializing: ((value: unknown) => boolean) | undefined;

  constructor(
    descriptor: StateDescriptor<State, unknown>,
    namespaceSerializer: TypeSerializer<unknown> | undefined,
    index: number,
  ) {
    this.name = descriptor.name;
    this.kind = descriptor.kind;
    this.serializer = descriptor.serializer;
    this.userKeySerializer = userKeySerializerOf(descriptor);
    this.namespaceSerializer = namespaceSerializer ?? voidNamespaceSerializer;
    this.namespaced = namespaceSerializer !== undefined;
    this.ttl = descriptor.ttlConfig;
    this.index = index;
    this.acceptsWithoutSerializing = fastAcceptCheck(this.serializer);
    if (this.userKeySerializer !== undefined)
      requireDeterministic(this.name, 'map key', this.userKeySerializer);
    if (namespaceSerializer !== undefined) requireDeterministic(this.name, 'namespace', namespaceSerializer);
  }

  /** e.g. `a value state (value serializer number@1, no TTL)`. */
  describe(): string {
    return describeRegistration(
      this.kind,
      this.serializer,
      this.userKeySerializer,
      this.namespaced ? this.namespaceSerializer : undefined,
      this.ttl,
    );
  }

  /**
   * Throws a {@link StateRegistrationError} naming both registrations unless `descriptor` (with
   * `namespaceSerializer`) requests this same state: same kind, serializers that read each
   * other's data as-is, same namespacing and the same TTL.
   */
  checkRequest(
    descriptor: StateDescriptor<State, unknown>,
    namespaceSerializer: TypeSerializer<unknown> | undefined,
  ): void {
    const userKeySerializer = userKeySerializerOf(descriptor);
    const fail = (reason: string): never => {
      const requested = describeRegistration(
        descriptor.kind,
        descriptor.serializer,
        userKeySerializer,
        namespaceSerializer,
        descriptor.ttlConfig,
      );
      throw new StateRegistrationError(this.name, this.describe(), requested, reason);
    };
    if (descriptor.kind !== this.kind)
      fail(`a state cannot change its kind (${this.kind} → ${descriptor.kind})`);
    const mismatch =
      incompatibility(VALUE_ROLES[this.kind], this.serializer, descriptor.serializer) ??
      (this.userKeySerializer === undefined || userKeySerializer === undefined
        ? undefined
        : incompatibility('map key', this.userKeySerializer, userKeySerializer));
    if (mismatch !== undefined) fail(mismatch);
    if (this.namespaced !== (namespaceSerializer !== undefined)) {
      fail(
        this.namespaced ? 'it is namespaced; use getPartitionedState' : 'it is not namespaced; use getState',
      );
    }
    if (namespaceSerializer !== undefined) {
      const namespaceMismatch = incompatibility('namespace', this.namespaceSerializer, namespaceSerializer);
      if (namespaceMismatch !== undefined) fail(namespaceMismatch);
    }
    const ttl = descriptor.ttlConfig;
    if (this.ttl === undefined ? ttl !== undefined : !this.ttl.equals(ttl)) fail('the TTL differs');
  }
}

const VALUE_ROLES: Readonly<Record<StateKind, string>> = {
  value: 'value',
  list: 'element',
  map: 'map value',
  reducing: 'value',
  aggregating: 'accumulator',
};

function userKeySerializerOf(
  descriptor: StateDescriptor<State, unknown>,
): TypeSerializer<unknown> | undefined {
  return 'userKeySerializer' in descriptor
    ? (descriptor.userKeySerializer as TypeSerializer<unknown>)
    : undefined;
}

function requireDeterministic(stateName: string, role: string, serializer: TypeSerializer<unknown>): void {
  if (serializer.deterministic === true) return;
  throw new InvalidStateDescriptorError(
    stateName,
    `the ${role} serializer '${serializer.snapshot().id}' is not deterministic, but ${role}s are compared by ` +
      'their bytes; use string, int, number, bigint, bytes, a tuple of those or msgpack({ deterministic: true }), ' +
      'or declare `deterministic: true` on your own serializer if equal values always give equal bytes',
  );
}

function incompatibility(
  role: string,
  registered: TypeSerializer<unknown>,
  requested: TypeSerializer<unknown>,
): string | undefined {
  if (registered === requested) return undefined;
  const compatibility = requested.resolveCompatibility(registered.snapshot());
  if (compatibility.kind === 'compatible-as-is') return undefined;
  const why =
    compatibility.kind === 'incompatible' ? compatibility.reason : 'it reads the data only after a migration';
  return `the ${role} serializer ${formatSnapshot(requested.snapshot())} cannot replace ${formatSnapshot(registered.snapshot())} (${why})`;
}

function describeRegistration(
  kind: StateKind,
  serializer: TypeSerializer<unknown>,
  userKeySerializer: TypeSerializer<unknown> | undefined,
  namespaceSerializer: TypeSerializer<unknown> | undefined,
  ttl: StateTtlConfig | undefined,
): string {
  const parts = [`${VALUE_ROLES[kind]} serializer ${formatSnapshot(serializer.snapshot())}`];
  if (userKeySerializer !== undefined)
    parts.push(`map key serializer ${formatSnapshot(userKeySerializer.snapshot())}`);
  if (namespaceSerializer !== undefined)
    parts.push(`namespace serializer ${formatSnapshot(namespaceSerializer.snapshot())}`);
  parts.push(ttl === undefined ? 'no TTL' : `TTL ${ttl.ttl} ms`);
  return `a ${kind} state (${parts.join(', ')})`;
}
