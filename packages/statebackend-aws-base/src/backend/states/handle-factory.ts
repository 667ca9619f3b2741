import { InvalidStateDescriptorError } from '../../errors.js';
import { AggregatingStateDescriptor } from '../../state/aggregating-state.js';
import { ListStateDescriptor } from '../../state/list-state.js';
import { MapStateDescriptor } from '../../state/map-state.js';
import { ReducingStateDescriptor } from '../../state/reducing-state.js';
import type { State } from '../../state/state.js';
import type { StateDescriptor } from '../../state/state-descriptor.js';
import { ValueStateDescriptorClass } from '../../state/value-state.js';
import type { KeyContext } from '../key-context.js';
import type { RegisteredKeyedState } from '../registered-state.js';
import type { SerializedRef } from '../state-store.js';
import { AggregatingStateHandle } from './aggregating-state-handle.js';
import { ListStateHandle } from './list-state-handle.js';
import { MapStateHandle } from './map-state-handle.js';
import { ReducingStateHandle } from './reducing-state-handle.js';
import type { HandleServices, StateHandle } from './state-handle.js';
import { ValueStateHandle } from './value-state-handle.js';

/** Creates the handle of one state for a key and namespace. */
export type HandleFactory = (
  keyContext: KeyContext<unknown>,
  namespace: SerializedRef,
  cellId: string,
) => StateHandle & State;

/**
 * The handle factory for `descriptor`'s kind, closing over what the descriptor adds to the
 * registered state (default value, reduce or aggregate function).
 */
export function handleFactoryFor(
  services: HandleServices,
  state: RegisteredKeyedState,
  descriptor: StateDescriptor<State, unknown>,
): HandleFactory {
  if (descriptor instanceof ValueStateDescriptorClass) {
    const defaultValue: unknown = descriptor.defaultValue;
    return (key, namespace, cellId) =>
      new ValueStateHandle(services, state, key, namespace, cellId, defaultValue);
  }
  if (descriptor instanceof ListStateDescriptor) {
    return (key, namespace, cellId) => new ListStateHandle(services, state, key, namespace, cellId);
  }
  if (descriptor instanceof MapStateDescriptor) {
    return (key, namespace, cellId) => new MapStateHandle(services, state, key, namespace, cellId);
  }
  if (descriptor instanceof ReducingStateDescriptor) {
    const reduce = descriptor.reduceFunction as (a: unknown, b: unknown) => unknown;
    return (key, namespace, cellId) =>
      new ReducingStateHandle(services, state, key, namespace, cellId, reduce);
  }
  if (descriptor instanceof AggregatingStateDescriptor) {
    const fn = descriptor.aggregateFunction;
    return (key, namespace, cellId) =>
      new AggregatingStateHandle(services, state, key, namespace, cellId, fn);
  }
  throw new InvalidStateDescriptorError(
    descriptor.name,
    `unknown descriptor class ${descriptor.constructor.name}; use ValueStateDescriptor, ListStateDescriptor, ` +
      'MapStateDescriptor, ReducingStateDescriptor or AggregatingStateDescriptor',
  );
}
