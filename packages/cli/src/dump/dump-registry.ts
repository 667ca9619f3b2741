import { SerializerRegistry, voidNamespaceSerializer } from '@statebackend/aws-base';

/**
 * The built-in serializers, plus the void namespace every non-namespaced state records (the
 * built-in registry does not list it, as no user state is declared with it).
 */
export function dumpSerializerRegistry(): SerializerRegistry {
  const registry = SerializerRegistry.withBuiltIns();
  const id = voidNamespaceSerializer.snapshot().id;
  if (!registry.has(id)) registry.register(id, () => voidNamespaceSerializer);
  return registry;
}
