import { HeapKeyedStateBackend } from '../../../src/heap/heap-keyed-state-backend.js';
import {
  AwsClientManager,
  CheckpointingHeapBackendBuilder,
  Configuration,
  type KeyedStateBackendParameters,
  KeyGroupRange,
  noopLogger,
  Serializers,
  StateBackendError,
  ValueStateDescriptor,
} from '../../../src/index.js';
import { AbstractAwsKeyedStateBackendBuilder, AbstractAwsStateBackend } from '../../../src/spi.js';

const parameters: KeyedStateBackendParameters<string> = {
  jobId: 'job',
  operatorId: 'op',
  keyGroupRange: KeyGroupRange.of(0, 127),
  maxParallelism: 128,
  keySerializer: Serializers.string,
};

const restored = new ValueStateDescriptor('restored', Serializers.string);

/** A builder that restores "snapshots" given as key → value records. */
class RecordsBuilder extends AbstractAwsKeyedStateBackendBuilder<
  string,
  HeapKeyedStateBackend<string>,
  Record<string, string>
> {
  protected createBackend(): HeapKeyedStateBackend<string> {
    return new HeapKeyedStateBackend(this.parameters);
  }

  protected override async restore(
    backend: HeapKeyedStateBackend<string>,
    sources: readonly Record<string, string>[],
  ) {
    for (const source of sources) {
      for (const [key, value] of Object.entries(source)) {
        if (value === 'corrupt') throw new StateBackendError(`corrupt record for ${key}`);
        await backend.withKey(key, (ctx) => ctx.getState(restored).update(value));
      }
    }
  }
}

/** A builder that cannot restore: it keeps the base's `restore`. */
class NoRestoreBuilder<K, R> extends AbstractAwsKeyedStateBackendBuilder<K, HeapKeyedStateBackend<K>, R> {
  protected createBackend(): HeapKeyedStateBackend<K> {
    return new HeapKeyedStateBackend(this.parameters);
  }
}

/** A minimal AWS backend over the heap store, to test what the base class owns. */
class HeapOnAws extends AbstractAwsStateBackend {
  readonly type = 'heap-on-aws';

  constructor(configuration: Configuration, clients?: AwsClientManager) {
    super(configuration, clients === undefined ? {} : { clients });
  }

  protected createKeyedStateBackendBuilder<K>(p: KeyedStateBackendParameters<K>) {
    return new CheckpointingHeapBackendBuilder<K>(p);
  }
}

describe('AbstractAwsKeyedStateBackendBuilder', () => {
  it('restores what it is given before the backend is handed out', async () => {
    const backend = await new RecordsBuilder(parameters, [{ a: 'one' }, { b: 'two', a: 'three' }]).build();
    expect(await backend.withKey('a', (ctx) => ctx.getState(restored).value())).toBe('three');
    expect(await backend.withKey('b', (ctx) => ctx.getState(restored).value())).toBe('two');
  });

  it('disposes the backend and throws when the restore fails', async () => {
    let built: HeapKeyedStateBackend<string> | undefined;
    class Spy extends RecordsBuilder {
      protected override createBackend() {
        built = super.createBackend();
        return built;
      }
    }
    await expect(new Spy(parameters, [{ a: 'corrupt' }]).build()).rejects.toThrow('corrupt record for a');
    expect(built?.isDisposed).toBe(true);
  });

  it('refuses restore sources when the builder cannot restore', async () => {
    const builder = new NoRestoreBuilder<string, string>(parameters, ['chk-1']);
    await expect(builder.build()).rejects.toThrow(
      /cannot restore state \(1 source\(s\) given\) into operator 'op'/,
    );
  });

  it('validates the parameters when constructed', () => {
    expect(() => new CheckpointingHeapBackendBuilder({ ...parameters, jobId: ' ' })).toThrow(/jobId/);
  });
});

describe('AbstractAwsStateBackend', () => {
  it('creates keyed backends through its builder and closes the client manager it created', async () => {
    const backend = new HeapOnAws(new Configuration());
    const keyed = await backend.createKeyedStateBackend(parameters);
    expect(keyed).toBeInstanceOf(HeapKeyedStateBackend);
    await backend.close();
    expect(() =>
      backend.clients.getOrCreate(
        class {
          destroy() {}
        },
      ),
    ).toThrow(/closed/);
  });

  it("leaves a caller's client manager open", async () => {
    const clients = new AwsClientManager(new Configuration(), { logger: noopLogger });
    const backend = new HeapOnAws(new Configuration(), clients);
    await backend.close();
    await backend.close();
    expect(backend.clients).toBe(clients);
    const client = { destroy() {} };
    expect(
      clients.getOrCreate(
        class {
          destroy() {}
        },
        { client },
      ),
    ).toBe(client);
  });
});
