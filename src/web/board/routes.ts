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
import type { Clock } from '../../app/ports.ts';
import { t } from '../../i18n/translate.ts';
import { html } from '../html.ts';
import { boardPage } from './board-page.ts';
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
};

const HTML = 'text/html; charset=utf-8';
const NUMBER = /^[1-9][0-9]{0,8}$/;

type Page = (ctx: PageContext, row: BoardKeyRow, origin: string) => Promise<CachedPage | undefined>;

export function boardRoutes(deps: BoardRoutesDeps): Router {
  const router = Router();
  const cache = deps.cache ?? new PageCache();

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
      const key = String(req.params.key ?? '');
      const row = key.length <= 200 ? await deps.reader.find(key) : undefined;
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
      const built = await cache.get(
        row.community.id,
        row.version,
        cacheKey,
        now.getTime(),
        async () => {
          const page = await build(ctx, row, origin);
          return page ?? { body: '', type: '' };
        },
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
      body: boardPage(ctx, await boardView(deps.reader, row.community, ctx.now)),
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
      const view = await boardView(deps.reader, row.community, ctx.now);
      const entries = await feedEntries(deps.reader, view);
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
      const view = await itemView(deps.reader, row.community, Number(itemNumber(req)), ctx.now);
      return view ? { type: HTML, body: itemPage(ctx, view) } : undefined;
    })(req, res).catch(next);
  });
  router.get('/board/:key/:n/print', (req, res, next) => {
    if (!NUMBER.test(itemNumber(req))) return notFound(req, res);
    return serve('print', async (ctx, row, origin) => {
      const view = await itemView(deps.reader, row.community, Number(itemNumber(req)), ctx.now);
      if (!view || !printable(view)) return undefined;
      const url = `${origin}${ctx.base}/${view.item.number}?lang=${ctx.locale}`;
      return { type: HTML, body: await printPage(ctx, view, url) };
    })(req, res).catch(next);
  });
  return router;
}
