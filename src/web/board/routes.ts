/**
 * The public board's routes (design.md section 4): the community board, one
 * item, its printable notice, participation, the Atom and iCalendar feeds.
 * An unknown key, a board that is `off`, and an old key after rotation all
 * answer the same 404.
 */
import { type Request, type Response, Router } from 'express';
import {
  type BoardKeyRow,
  type BoardReader,
  boardOpens,
  boardView,
  feedEntries,
  itemView,
  participationView,
} from '../../app/board.ts';
import { communityPolicy } from '../../app/core.ts';
import type { Clock } from '../../app/ports/clock.ts';
import type { CommunityRecord } from '../../app/ports/store.ts';
import { t } from '../../i18n/translate.ts';
import { html } from '../html.ts';
import { type BoardHotTopic, boardPage } from './board-page.ts';
import { ChainChecks } from './chain-checks.ts';
import { atomFeed, calendarFeed } from './feeds.ts';
import { itemPage, printable } from './item-page.ts';
import type { PageContext } from './layout.ts';
import { pickLocale } from './locale.ts';
import { type CachedPage, PageCache } from './page-cache.ts';
import { participationPage } from './participation-page.ts';
import { printPage } from './print-page.ts';

export type BoardRoutesDeps = {
  reader: BoardReader;
  clock: Clock;
  /** PUBLIC_URL: the origin of absolute links (feeds, QR codes); else the request's own. */
  publicUrl: string | undefined;
  cache?: PageCache;
  /**
   * How long a key's lookup (community, policy, change counter) is reused, in
   * ms of process time; 0 (the default) looks up every request. The server
   * uses 1 s: a reloading crowd then costs no database round trip and at most
   * one render per page a second, however fast the community changes, at the
   * price of a page (or a rotated key) up to a second stale.
   */
  lookupTtlMs?: number;
  /** The hot list of a community (issue 15), shown while its policy has `hotTopics: "on"`. */
  hotTopics?: (community: CommunityRecord, now: Date) => Promise<BoardHotTopic[]>;
};

const HTML = 'text/html; charset=utf-8';
const NUMBER = /^[1-9][0-9]{0,8}$/;

type Page = (ctx: PageContext, row: BoardKeyRow, origin: string) => Promise<CachedPage | undefined>;

export function boardRoutes(deps: BoardRoutesDeps): Router {
  const router = Router();
  const cache = deps.cache ?? new PageCache();
  const lookups = new KeyLookups(deps.reader, deps.lookupTtlMs ?? 0);
  const chains = new ChainChecks(deps.reader);

  function notFound(req: Request, res: Response): void {
    const { locale } = pickLocale(req.query.lang, req.get('accept-language'), 'zh-CN');
    res
      .status(404)
      .type(HTML)
      .send(
        html`<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>404</title></head><body><main><h1>404</h1><p>${t(locale, 'board.not_found')}</p></main></body></html>`
          .text,
      );
  }

  function serve(name: string, build: Page) {
    return async (req: Request, res: Response): Promise<void> => {
      const started = performance.now();
      const key = String(req.params.key ?? '');
      const row = key.length <= 200 ? await lookups.find(key) : undefined;
      if (!row || !boardOpens(row, key)) return notFound(req, res);
      const { locale } = pickLocale(
        req.query.lang,
        req.get('accept-language'),
        row.community.locale,
      );
      const now = deps.clock.now();
      const ctx: PageContext = {
        locale,
        base: `/board/${encodeURIComponent(key)}`,
        timezone: row.community.timezone,
        now,
      };
      const origin =
        deps.publicUrl?.replace(/\/+$/, '') ??
        `${req.protocol}://${req.get('host') ?? 'localhost'}`;
      const number = String(req.params.n ?? '');
      const cacheKey = `${name}\u0000${locale}\u0000${number}\u0000${key}\u0000${origin}`;
      let rendered = false;
      const built = await cache.get(
        row.community.id,
        row.version,
        cacheKey,
        now.getTime(),
        async () => {
          rendered = true;
          const page = await build(ctx, row, origin);
          return page ?? { body: '', type: '' };
        },
      );
      // The page's own time, so the bench (and an operator) can tell a render from a cache hit.
      res.set(
        'Server-Timing',
        `${name};dur=${(performance.now() - started).toFixed(1)};desc="${rendered ? 'render' : 'cache'}"`,
      );
      if (built.type === '') return notFound(req, res);
      // The key is the board's password when policy is "link": keep it out of Referer headers and indexes.
      res.set('Referrer-Policy', 'no-referrer');
      res.set('X-Robots-Tag', 'noindex');
      res.set(
        'Content-Security-Policy',
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      );
      res.set('Cache-Control', 'private, max-age=30');
      res.type(built.type).send(built.body);
    };
  }

  const itemNumber = (req: Request) => String(req.params.n ?? '');

  router.get(
    '/board/:key',
    serve('board', async (ctx, row) => ({
      type: HTML,
      body: boardPage(
        ctx,
        await boardView(deps.reader, row.community, ctx.now),
        deps.hotTopics && communityPolicy(row.community).hotTopics === 'on'
          ? await deps.hotTopics(row.community, ctx.now)
          : undefined,
      ),
    })),
  );
  router.get(
    '/board/:key/participation',
    serve('participation', async (ctx, row) => ({
      type: HTML,
      body: participationPage(ctx, await participationView(deps.reader, row.community, ctx.now)),
    })),
  );
  router.get(
    '/board/:key/feed.atom',
    serve('atom', async (ctx, row, origin) => {
      const rows = await deps.reader.proposals(row.community.id);
      const view = await boardView(deps.reader, row.community, ctx.now, rows);
      const entries = await feedEntries(deps.reader, view, rows);
      return {
        type: 'application/atom+xml; charset=utf-8',
        body: atomFeed(ctx, view, entries, origin),
      };
    }),
  );
  router.get(
    '/board/:key/calendar.ics',
    serve('ics', async (ctx, row, origin) => ({
      type: 'text/calendar; charset=utf-8',
      body: calendarFeed(ctx, await boardView(deps.reader, row.community, ctx.now), origin),
    })),
  );
  router.get('/board/:key/:n', (req, res, next) => {
    if (!NUMBER.test(itemNumber(req))) return notFound(req, res);
    return serve('item', async (ctx, row) => {
      const reader = chains.readerFor(row, ctx.now.getTime());
      const view = await itemView(reader, row.community, Number(itemNumber(req)), ctx.now);
      return view ? { type: HTML, body: itemPage(ctx, view) } : undefined;
    })(req, res).catch(next);
  });
  router.get('/board/:key/:n/print', (req, res, next) => {
    if (!NUMBER.test(itemNumber(req))) return notFound(req, res);
    return serve('print', async (ctx, row, origin) => {
      const reader = chains.readerFor(row, ctx.now.getTime());
      const view = await itemView(reader, row.community, Number(itemNumber(req)), ctx.now);
      if (!view || !printable(view)) return undefined;
      const url = `${origin}${ctx.base}/${view.item.number}?lang=${ctx.locale}`;
      return { type: HTML, body: await printPage(ctx, view, url) };
    })(req, res).catch(next);
  });
  return router;
}

/** Board key lookups shared for `ttlMs` (process time: an operational cache, not domain time). */
class KeyLookups {
  private readonly recent = new Map<
    string,
    { at: number; row: Promise<BoardKeyRow | undefined> }
  >();

  constructor(
    private readonly reader: BoardReader,
    private readonly ttlMs: number,
  ) {}

  find(key: string): Promise<BoardKeyRow | undefined> {
    if (this.ttlMs <= 0) return this.reader.find(key);
    const now = performance.now();
    const known = this.recent.get(key);
    if (known && now - known.at < this.ttlMs) return known.row;
    if (this.recent.size >= 1_000) this.recent.clear();
    const row = this.reader.find(key);
    this.recent.set(key, { at: now, row });
    // A failed lookup is not kept: the next request tries again.
    row.catch(() => this.recent.delete(key));
    return row;
  }
}
