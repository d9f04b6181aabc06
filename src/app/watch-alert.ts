/**
 * A raised watch alert on its way to the supervision group: who hears of it
 * (every supervisor, in their private chat with the bot) and its words,
 * rendered from the WatchAlert row when the push goes out. The alert names no
 * one: counts, the vote's number and the threshold passed.
 */
import type { Policy } from '../domain/policy.ts';
import type { WatchRule } from '../domain/watch.ts';
import type { Locale } from '../i18n/translate.ts';
import { noticePushKey } from './notice-push-key.ts';
import type { OutboundMessage } from './ports/delivery.ts';
import type { NoticePush } from './ports/queue.ts';
import type { ScheduleReader } from './ports/schedule.ts';
import type { CommunityRecord } from './ports/store.ts';

export type WatchAlertView = {
  rule: WatchRule;
  number: number | null;
  count: number;
  threshold: number;
};

export interface WatchAlertReader {
  /** The alert raised under this key; undefined once retention removed it. */
  watchAlert(key: string): Promise<WatchAlertView | undefined>;
}

/** One urgent notice per supervisor's private chat, keyed by the alert and the chat. */
export async function watchAlertPushes(
  reader: Pick<ScheduleReader, 'audienceChats'>,
  alert: { key: string; communityId: string },
): Promise<NoticePush[]> {
  const supervisors = await reader.audienceChats(alert.communityId, '', ['supervisor']);
  return supervisors.map((chat) => ({
    kind: 'notice',
    key: noticePushKey(alert.key, chat.platform, chat.chatId),
    notice: 'watch_alert',
    communityId: alert.communityId,
    alert: alert.key,
    platform: chat.platform,
    chatId: chat.chatId,
  }));
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** The alert's words in the supervisor's locale; null when the alert is gone. */
export async function watchAlertMessage(
  reader: WatchAlertReader,
  key: string | undefined,
  c: { community: CommunityRecord; policy: Policy; locale: Locale },
): Promise<OutboundMessage | null> {
  const alert = key === undefined ? undefined : await reader.watchAlert(key);
  if (!alert) return null;
  const w = c.policy.watch;
  const windows: Record<WatchRule, { minutes?: number; hours?: number }> = {
    relay_burst: { minutes: Math.round(w.relayBurst.withinMs / MINUTE_MS) },
    relay_share: {},
    join_surge: { hours: Math.round(w.joinSurge.beforeMs / HOUR_MS) },
    join_codes: { hours: Math.round(w.joinCodes.withinMs / HOUR_MS) },
    last_minutes_relays: { minutes: Math.round(w.lastMinutesRelays.windowMs / MINUTE_MS) },
  };
  return {
    locale: c.locale,
    lines: [
      {
        key: `watch.${alert.rule}`,
        params: {
          community: c.community.name,
          number: alert.number ?? 0,
          count: alert.count,
          threshold: alert.threshold,
          ...windows[alert.rule],
        },
      },
    ],
    progress: null,
    buttons: [],
  };
}
