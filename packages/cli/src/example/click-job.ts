import {
  MapStateDescriptor,
  type ProcessContext,
  ReducingStateDescriptor,
  Serializers,
  StateTtlConfig,
  type Timer,
  ValueStateDescriptor,
} from '@statebackend/aws-base';
import type { Click } from './click-stream.js';

/** A session ends after this much event time without a click of its user. */
export const SESSION_GAP_MS = 5 * 60_000;
/** A user's profile expires after this much event time without a click (TTL on idle users). */
export const PROFILE_TTL_MS = 30 * 60_000;
/** The name of the session timeout timer. */
export const SESSION_TIMEOUT = 'session-timeout';

/** What the job keeps per user while the user is active; dropped by TTL when idle. */
export interface Profile {
  readonly firstSeen: number;
  readonly clicks: number;
}

/** The user's open session. */
export interface Session {
  readonly start: number;
  readonly lastSeen: number;
  readonly clicks: number;
}

/** What the job keeps per user for good: the totals the summary reports. */
export interface UserStats {
  readonly clicks: number;
  readonly sessions: number;
  readonly sessionClicks: number;
  readonly longestSessionMs: number;
  readonly mostPagesInSession: number;
  /** Clicks that came after the profile expired: the user returned after being idle. */
  readonly returnsAfterIdle: number;
}

const NO_STATS: UserStats = {
  clicks: 0,
  sessions: 0,
  sessionClicks: 0,
  longestSessionMs: 0,
  mostPagesInSession: 0,
  returnsAfterIdle: 0,
};

/** The states of the example job, all keyed by user. */
export const ClickJobStates = {
  profile: new ValueStateDescriptor<Profile>('profile', Serializers.msgpack<Profile>()).enableTimeToLive(
    StateTtlConfig.newBuilder(PROFILE_TTL_MS).cleanupFullSnapshot().build(),
  ),
  session: new ValueStateDescriptor<Session>('session', Serializers.msgpack<Session>()),
  /** Clicks per page of the open session. */
  sessionPages: new MapStateDescriptor<string, number>('session-pages', Serializers.string, Serializers.int),
  /** Clicks per page (the namespace) of the user, summed. */
  pageClicks: new ReducingStateDescriptor<number>('page-clicks', (a, b) => a + b, Serializers.int),
  stats: new ValueStateDescriptor<UserStats>('user-stats', Serializers.msgpack<UserStats>(), NO_STATS),
} as const;

/** Counts a click: profile (with TTL), the open session and its pages, clicks per page, the session timer. */
export async function processClick(click: Click, ctx: ProcessContext<string>): Promise<void> {
  const statsState = ctx.getState(ClickJobStates.stats);
  const stats = await statsState.value();
  const profileState = ctx.getState(ClickJobStates.profile);
  const profile = await profileState.value();
  const returned = profile === undefined && stats.clicks > 0;
  await profileState.update({
    firstSeen: profile?.firstSeen ?? click.timestamp,
    clicks: (profile?.clicks ?? 0) + 1,
  });

  const sessionState = ctx.getState(ClickJobStates.session);
  let session = await sessionState.value();
  if (session !== undefined && click.timestamp > session.lastSeen + SESSION_GAP_MS) {
    // The watermark has not closed the session yet, but this click is past its gap: a new one starts.
    await ctx.timers.deleteEventTimeTimer(session.lastSeen + SESSION_GAP_MS, SESSION_TIMEOUT);
    await closeSession(ctx);
    session = undefined;
  }
  const next: Session =
    session === undefined
      ? { start: click.timestamp, lastSeen: click.timestamp, clicks: 1 }
      : {
          start: Math.min(session.start, click.timestamp),
          lastSeen: Math.max(session.lastSeen, click.timestamp),
          clicks: session.clicks + 1,
        };
  if (session !== undefined && session.lastSeen !== next.lastSeen) {
    await ctx.timers.deleteEventTimeTimer(session.lastSeen + SESSION_GAP_MS, SESSION_TIMEOUT);
  }
  await ctx.timers.registerEventTimeTimer(next.lastSeen + SESSION_GAP_MS, SESSION_TIMEOUT);
  await sessionState.update(next);

  const pages = ctx.getState(ClickJobStates.sessionPages);
  await pages.put(click.page, ((await pages.get(click.page)) ?? 0) + 1);
  await ctx.getPartitionedState(ClickJobStates.pageClicks, Serializers.string).inNamespace(click.page).add(1);
  const latest = await statsState.value();
  await statsState.update({
    ...latest,
    clicks: latest.clicks + 1,
    returnsAfterIdle: latest.returnsAfterIdle + (returned ? 1 : 0),
  });
}

/** The session timeout: closes the session unless a later click moved it on. */
export async function onSessionTimer(timer: Timer<string>, ctx: ProcessContext<string>): Promise<void> {
  if (timer.name !== SESSION_TIMEOUT) return;
  const session = await ctx.getState(ClickJobStates.session).value();
  if (session !== undefined && session.lastSeen + SESSION_GAP_MS <= timer.timestamp) await closeSession(ctx);
}

async function closeSession(ctx: ProcessContext<string>): Promise<void> {
  const sessionState = ctx.getState(ClickJobStates.session);
  const session = await sessionState.value();
  if (session === undefined) return;
  const pages = ctx.getState(ClickJobStates.sessionPages);
  const distinctPages = (await pages.keys()).length;
  const statsState = ctx.getState(ClickJobStates.stats);
  const stats = await statsState.value();
  await statsState.update({
    ...stats,
    sessions: stats.sessions + 1,
    sessionClicks: stats.sessionClicks + session.clicks,
    longestSessionMs: Math.max(stats.longestSessionMs, session.lastSeen - session.start),
    mostPagesInSession: Math.max(stats.mostPagesInSession, distinctPages),
  });
  await sessionState.clear();
  await pages.clear();
}
