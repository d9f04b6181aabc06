/**
 * The board's feeds: Atom (results, assignments, progress, escalations) with
 * `feed`, and iCalendar (vote openings and closings, due dates) with
 * `ical-generator`. Calendar times are written as local times with the
 * community's TZID, so a phone shows them at the hour residents were told.
 */
import { Feed } from 'feed';
import ical from 'ical-generator';
import type { BoardView, FeedEntry } from '../../app/board.ts';
import { formatDateTime, type MessageKey, t } from '../../i18n/translate.ts';
import { eventText } from './item-page.ts';
import type { PageContext } from './layout.ts';

function entryTitle(ctx: PageContext, entry: FeedEntry): string {
  const l = ctx.locale;
  const { item, event } = entry;
  const base = { number: item.number, title: item.title };
  switch (event.kind) {
    case 'closed':
      return t(l, 'feed.result', {
        ...base,
        result: t(l, `state.proposal.${item.state}` as MessageKey),
      });
    case 'assigned':
      return t(l, 'feed.assigned', {
        ...base,
        lead: event.lead,
        due: formatDateTime(new Date(event.dueAt), l, ctx.timezone),
      });
    case 'progress':
      return t(l, 'feed.progress', { ...base, percent: event.percent });
    case 'escalated':
      return t(l, 'feed.escalated', {
        ...base,
        label: t(l, `escalation.label.${event.level}` as MessageKey),
      });
    default:
      return t(l, 'feed.done', base);
  }
}

/** `GET /board/:key/feed.atom`; `origin` makes the links absolute. */
export function atomFeed(
  ctx: PageContext,
  view: BoardView,
  entries: readonly FeedEntry[],
  origin: string,
): string {
  const l = ctx.locale;
  const boardUrl = `${origin}${ctx.base}?lang=${l}`;
  const feed = new Feed({
    title: t(l, 'feed.title', { community: view.community.name }),
    id: `${origin}${ctx.base}`,
    link: boardUrl,
    language: l,
    updated: entries[0] ? new Date(entries[0].event.at) : ctx.now,
    generator: 'yishi',
    copyright: view.community.name,
    feedLinks: { atom: `${origin}${ctx.base}/feed.atom?lang=${l}` },
  });
  for (const entry of entries) {
    const link = `${origin}${ctx.base}/${entry.item.number}?lang=${l}`;
    feed.addItem({
      title: entryTitle(ctx, entry),
      id: `urn:yishi:${view.community.id}:${entry.id}`,
      link,
      date: new Date(entry.event.at),
      description: eventText(ctx, entry.event),
    });
  }
  return feed.atom1();
}

/** `2026-12-08T10:00:00`: the wall time of `at` in `timeZone`. */
export function wallTime(at: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const p = (type: string) => parts.find((part) => part.type === type)?.value ?? '00';
  return `${p('year')}-${p('month')}-${p('day')}T${p('hour')}:${p('minute')}:${p('second')}`;
}

const EVENT_MS = 30 * 60_000;

/** `GET /board/:key/calendar.ics`. */
export function calendarFeed(ctx: PageContext, view: BoardView, origin: string): string {
  const l = ctx.locale;
  const tz = view.community.timezone;
  const calendar = ical({ name: t(l, 'calendar.name', { community: view.community.name }) });
  const add = (uid: string, summary: string, at: string, number: number) => {
    const start = new Date(at);
    calendar.createEvent({
      id: `${uid}@yishi.${view.community.id}`,
      start: wallTime(start, tz),
      end: wallTime(new Date(start.getTime() + EVENT_MS), tz),
      timezone: tz,
      stamp: ctx.now,
      summary,
      url: `${origin}${ctx.base}/${number}?lang=${l}`,
    });
  };
  for (const item of view.all) {
    const base = { number: item.number, title: item.title };
    const announced =
      item.state === 'agenda' || item.state === 'noticed' || item.state === 'voting';
    if (announced && item.votingOpensAt)
      add(
        `vote-opens-${item.number}`,
        t(l, 'calendar.opens', base),
        item.votingOpensAt,
        item.number,
      );
    if (announced && item.votingClosesAt)
      add(
        `vote-closes-${item.number}`,
        t(l, 'calendar.closes', base),
        item.votingClosesAt,
        item.number,
      );
    const r = item.resolution;
    if (r && (r.state === 'assigned' || r.state === 'in_progress')) {
      add(
        `due-${item.number}`,
        t(l, 'calendar.due', { ...base, lead: r.lead }),
        r.dueAt,
        item.number,
      );
    }
  }
  return calendar.toString();
}
