import {
  ConfigOptions,
  Configuration,
  ConfigurationError,
  createStateBackend,
  HeapStateBackend,
  HeapStateBackendFactory,
  KeyGroupRange,
  Serializers,
  ValueStateDescriptor,
} from '../../../src/index.js';
import {
  AbstractAwsStateBackendFactory,
  type AnyConfigOption,
  StateBackendRegistry,
} from '../../../src/spi.js';

const DIRECTORY = ConfigOptions.key('state.backend.memo.directory').stringType().noDefaultValue();

/** A stand-in for a backend package's factory: it counts the backends it creates. */
class MemoFactory extends AbstractAwsStateBackendFactory<HeapStateBackend> {
  readonly type = 'memo';
  protected readonly options: readonly AnyConfigOption[] = [DIRECTORY];
  created = 0;

  protected override get rules() {
    return [({ require }: { require: (option: AnyConfigOption) => void }) => require(DIRECTORY)];
  }

  protected async create(): Promise<HeapStateBackend> {
    this.created++;
    return new HeapStateBackend();
  }
}

describe('state backends from configuration', () => {
  it('creates the heap backend when state.backend.type is not set, and it works', async () => {
    const backend = await createStateBackend(new Configuration());
    expect(backend).toBeInstanceOf(HeapStateBackend);
    const keyed = await backend.createKeyedStateBackend({
      jobId: 'job',
      operatorId: 'op',
      keyGroupRange: KeyGroupRange.of(0, 127),
      maxParallelism: 128,
      keySerializer: Serializers.string,
    });
    const count = new ValueStateDescriptor('count', Serializers.int, 0);
    await keyed.withKey('k', async (ctx) =>
      ctx.getState(count).update((await ctx.getState(count).value()) + 1),
    );
    expect(await keyed.withKey('k', (ctx) => ctx.getState(count).value())).toBe(1);
    await keyed.dispose();
    await backend.close();
  });

  it('reads the type case-insensitively from YAML', async () => {
    const backend = await createStateBackend(Configuration.fromYaml('state.backend.type: HEAP\n'));
    expect(backend.type).toBe('heap');
  });

  it('an unknown type is a ConfigurationError naming the known types, with a suggestion', async () => {
    const registry = new StateBackendRegistry()
      .register(new HeapStateBackendFactory())
      .register(new MemoFactory());
    const attempt = registry.create(Configuration.fromObject({ 'state.backend.type': 'hepa' }));
    await expect(attempt).rejects.toThrow(ConfigurationError);
    await expect(attempt).rejects.toMatchObject({
      keys: ['state.backend.type'],
      issues: [expect.objectContaining({ received: "'hepa'", suggestion: 'heap' })],
    });
    await expect(attempt).rejects.toThrow(/expected one of heap, memo/);
  });

  it('validates the configuration before creating anything, reporting every problem', async () => {
    const factory = new MemoFactory();
    const registry = new StateBackendRegistry().register(factory);
    const configuration = Configuration.fromObject({
      'state.backend.type': 'memo',
      'state.backend.memo.directry': '/tmp/x',
    });
    const attempt = registry.create(configuration);
    await expect(attempt).rejects.toMatchObject({
      keys: ['state.backend.memo.directory', 'state.backend.memo.directry'],
    });
    expect(factory.created).toBe(0);
    configuration.setString('state.backend.memo.directory', '/tmp/x');
    configuration.remove('state.backend.memo.directry');
    await registry.create(configuration);
    expect(factory.created).toBe(1);
  });

  it('rejects keys under the heap prefix that the heap backend does not read', async () => {
    const configuration = Configuration.fromObject({
      'state.backend.heap.size': '1g',
      'aws.region': 'eu-west-1',
    });
    await expect(createStateBackend(configuration)).rejects.toMatchObject({
      keys: ['state.backend.heap.size'],
    });
  });

  it('lists, replaces and removes factories by type', () => {
    const registry = new StateBackendRegistry()
      .register(new MemoFactory())
      .register(new HeapStateBackendFactory());
    expect(registry.knownTypes()).toEqual(['heap', 'memo']);
    const replacement = new MemoFactory();
    registry.register(replacement);
    expect(registry.get('MEMO')).toBe(replacement);
    expect(registry.unregister('memo')).toBe(true);
    expect(registry.knownTypes()).toEqual(['heap']);
  });
});

describe('factories named by the application', () => {
  it('creates a backend from a factory passed in `factories`, without registering it', async () => {
    const factory = new MemoFactory();
    const configuration = Configuration.fromObject({
      'state.backend.type': 'memo',
      'state.backend.memo.directory': '/tmp/x',
    });
    const backend = await createStateBackend(configuration, { factories: [factory] });
    expect(factory.created).toBe(1);
    // The checkpointing type: its keyed backends take checkpoints without a cast.
    const keyed = await backend.createKeyedStateBackend({
      jobId: 'j',
      operatorId: 'o',
      keyGroupRange: KeyGroupRange.of(0, 127),
      maxParallelism: 128,
      keySerializer: Serializers.string,
    });
    expect(keyed.nextCheckpointId).toBe(1);
    await keyed.dispose();
    await expect(createStateBackend(configuration)).rejects.toThrow(
      /expected one of heap \(register a backend package's factory first, e\.g\. registerS3StateBackend\(\)/,
    );
  });
});
