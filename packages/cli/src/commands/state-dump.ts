import { assignToKeyGroup, KeyGroupRange } from '@statebackend/aws-base';
import type { KeyedStateSource } from '@statebackend/aws-base/spi';
import type { CliIo } from '../cli/io.js';
import {
  integerOption,
  noMorePositionals,
  type ParsedCommand,
  requiredPositional,
  stringOption,
} from '../cli/parse.js';
import { dumpSerializerRegistry } from '../dump/dump-registry.js';
import { StateDecoder } from '../dump/state-decoder.js';
import type { toJson } from '../dump/to-json.js';
import { CliError } from '../errors.js';
import {
  closeLocation,
  dispatch,
  LOCATION_OPTIONS,
  openAnyLocation,
  requireJobAt,
  type SubCommand,
} from './location-options.js';
import { openCheckpoint } from './open-checkpoint.js';

const COMMAND = 'state dump';

/** `statebackend state dump`. */
export function stateCommand(args: readonly string[], io: CliIo): Promise<number> {
  return dispatch('state', { dump }, args, io);
}

const dump: SubCommand = {
  help: {
    usage: ['state dump <location> [--checkpoint <id>] [--state <name>] [--key <key>] [options]'],
    summary:
      'Prints the state of a checkpoint (default: the latest) as JSON lines, one per value, list element\n' +
      'or map entry, decoded with the serializers recorded in the checkpoint.',
    options: {
      checkpoint: {
        type: 'string',
        value: '<id>',
        description: 'the checkpoint (default: the latest complete one)',
      },
      state: { type: 'string', value: '<name>', description: 'only this state' },
      key: { type: 'string', value: '<key>', description: 'only this key (as printed by the dump)' },
      ...LOCATION_OPTIONS,
    },
  },
  run: async (parsed, io) => {
    const location = requiredPositional(parsed, 0, 'the <location>', COMMAND);
    noMorePositionals(parsed, 1, COMMAND);
    const opened = await openAnyLocation(parsed, location, io);
    const checkpointId =
      parsed.values.checkpoint === undefined ? undefined : integerOption(parsed, 'checkpoint', COMMAND, 0);
    try {
      await requireJobAt(opened, parsed);
      const { source, keyGroups } = await openCheckpoint(opened, checkpointId);
      return await dumpSource(parsed, source, keyGroups, io);
    } finally {
      await closeLocation(opened);
    }
  },
};

/** Prints the entries of `source` in `range` as JSON lines, filtered by `--state` and `--key`. */
async function dumpSource(
  parsed: ParsedCommand,
  source: KeyedStateSource,
  range: KeyGroupRange,
  io: CliIo,
): Promise<number> {
  const stateName = stringOption(parsed, 'state');
  if (stateName !== undefined && !source.states.some((s) => s.name === stateName)) {
    throw new CliError(
      `Checkpoint ${source.checkpointId} has no state '${stateName}'; it has ${source.states
        .map((s) => s.name)
        .sort()
        .join(', ')}.`,
    );
  }
  const registry = dumpSerializerRegistry();
  const decoders = new Map(source.states.map((state) => [state, new StateDecoder(state, registry)]));
  const key = stringOption(parsed, 'key');
  let scan = range;
  if (key !== undefined) {
    // A key the key serializer can encode lives in one key group: read only that one.
    const keySerializer = [...decoders.values()][0]?.key;
    const bytes = tryEncode(keySerializer, key);
    if (bytes !== undefined) {
      const keyGroup = assignToKeyGroup(bytes, source.maxParallelism);
      scan = KeyGroupRange.of(keyGroup, keyGroup);
    }
  }
  let lines = 0;
  await source.forEachEntry(scan, (keyGroup, state, entry) => {
    if (stateName !== undefined && state.name !== stateName) return;
    const decoder = decoders.get(state);
    if (decoder === undefined) return;
    const line = decoder.decode(keyGroup, entry);
    if (key !== undefined && !sameKey(line.key ?? null, key)) return;
    io.stdout.write(`${JSON.stringify(line)}\n`);
    lines++;
  });
  if (lines === 0 && (key !== undefined || stateName !== undefined)) {
    io.stderr.write(`No entries matched in checkpoint ${source.checkpointId}.\n`);
  }
  return 0;
}

function tryEncode(
  serializer: { serialize(value: unknown): Uint8Array } | undefined,
  key: string,
): Uint8Array | undefined {
  if (serializer === undefined) return undefined;
  try {
    return serializer.serialize(key);
  } catch {
    return undefined;
  }
}

/** The dump prints keys as JSON; `--key` matches a string key as is, any other key as its JSON. */
function sameKey(printed: ReturnType<typeof toJson>, wanted: string): boolean {
  return typeof printed === 'string' ? printed === wanted : JSON.stringify(printed) === wanted;
}
