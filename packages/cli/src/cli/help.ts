import type { OptionSpecs } from './parse.js';

/** One command's help: usage lines, what it does, its options. */
export interface CommandHelp {
  readonly usage: readonly string[];
  readonly summary: string;
  readonly options: OptionSpecs;
  readonly notes?: readonly string[];
}

/** The text `--help` prints for a command. */
export function formatHelp(help: CommandHelp): string {
  let text = `Usage:\n${help.usage.map((u) => `  statebackend ${u}\n`).join('')}\n${help.summary}\n`;
  const rows = Object.entries(help.options).map(([name, spec]) => {
    const short = spec.short === undefined ? '    ' : `-${spec.short}, `;
    return [
      `${short}--${name}${spec.value === undefined ? '' : ` ${spec.value}`}`,
      spec.description,
    ] as const;
  });
  rows.push(['-h, --help', 'show this help']);
  const width = Math.max(...rows.map(([left]) => left.length));
  text += `\nOptions:\n${rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}\n`).join('')}`;
  if (help.notes !== undefined) text += `\n${help.notes.join('\n')}\n`;
  return text;
}

/** The top-level help: the commands. */
export const TOP_LEVEL_HELP = `Usage: statebackend <command> [options]

Durable keyed state for stream processors on AWS: run the example job, inspect and prune
checkpoints, dump state, and move state between backends.

Commands:
  run-example                       run the click-session example job (resumes after a kill)
  checkpoints list <location>       list the checkpoints: ids, times, sizes, key groups, states
  checkpoints show <location>       show one checkpoint in detail (default: the latest)
  checkpoints prune <location>      delete all but the newest --keep N checkpoints
  state dump <location>             print the state of a checkpoint as JSON lines
  savepoint export <location> <file>   write a checkpoint as a canonical savepoint file
  savepoint import <file> <location>   make a savepoint the latest checkpoint at a location

A <location> is a local directory, s3://bucket/prefix or dynamodb://table.
Run 'statebackend <command> --help' for a command's options.
`;
