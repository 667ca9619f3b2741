import { createHash } from 'node:crypto';
import { type KeyedStateBackend, Serializers } from '@statebackend/aws-base';
import { ClickJobStates, type UserStats } from './click-job.js';
import { PAGES } from './click-stream.js';

/** The example's result, read from its state: the same for every run over the same clicks. */
export interface ExampleSummary {
  readonly clicks: number;
  readonly users: number;
  readonly sessions: number;
  /** Sessions still open (none once the input ended: the final watermark closes them). */
  readonly openSessions: number;
  readonly longestSessionMs: number;
  readonly returnsAfterIdle: number;
  /** Clicks per page, in the order of `PAGES`. */
  readonly pages: readonly (readonly [string, number])[];
  /** SHA-256 over every user's totals and every page count: equal digests, equal state. */
  readonly digest: string;
}

/** Reads the summary from the job's state. */
export async function readSummary(backend: KeyedStateBackend<string>): Promise<ExampleSummary> {
  backend.registerState(ClickJobStates.stats);
  backend.registerState(ClickJobStates.session);
  backend.registerState(ClickJobStates.pageClicks, Serializers.string);
  // One pass over the users (every user with a click has stats): a backend that lists keys by
  // querying its store (DynamoDB) pays for one listing, not one per page.
  const users: [string, UserStats][] = [];
  const totals = new Map<string, number>(PAGES.map((page) => [page, 0]));
  let openSessions = 0;
  for await (const user of backend.keys(ClickJobStates.stats.name)) {
    const read = await backend.withKey(user, async (ctx) => {
      const counts: number[] = [];
      const perPage = ctx.getPartitionedState(ClickJobStates.pageClicks, Serializers.string);
      for (const page of PAGES) counts.push((await perPage.inNamespace(page).get()) ?? 0);
      const open = (await ctx.getState(ClickJobStates.session).value()) !== undefined;
      return { stats: await ctx.getState(ClickJobStates.stats).value(), counts, open };
    });
    users.push([user, read.stats]);
    if (read.open) openSessions++;
    for (const [i, page] of PAGES.entries())
      totals.set(page, (totals.get(page) ?? 0) + (read.counts[i] ?? 0));
  }
  users.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const pages: [string, number][] = PAGES.map((page) => [page, totals.get(page) ?? 0]);
  const sum = (pick: (s: UserStats) => number): number => users.reduce((acc, [, s]) => acc + pick(s), 0);
  return {
    clicks: sum((s) => s.clicks),
    users: users.length,
    sessions: sum((s) => s.sessions),
    openSessions,
    longestSessionMs: users.reduce((acc, [, s]) => Math.max(acc, s.longestSessionMs), 0),
    returnsAfterIdle: sum((s) => s.returnsAfterIdle),
    pages,
    digest: createHash('sha256').update(JSON.stringify({ users, pages })).digest('hex'),
  };
}

/** The summary as the command prints it. */
export function formatSummary(summary: ExampleSummary): string {
  const width = Math.max(...summary.pages.map(([page]) => page.length), 18);
  const row = (label: string, value: string | number): string => `  ${label.padEnd(width)}  ${value}\n`;
  let text = 'Summary\n';
  text += row('clicks', summary.clicks);
  text += row('users', summary.users);
  text += row('sessions', summary.sessions);
  text += row('open sessions', summary.openSessions);
  text += row('longest session', `${Math.round(summary.longestSessionMs / 1000)} s`);
  text += row('returns after idle', summary.returnsAfterIdle);
  text += 'Clicks per page\n';
  for (const [page, clicks] of summary.pages) text += row(page, clicks);
  text += row('digest', summary.digest);
  return text;
}
