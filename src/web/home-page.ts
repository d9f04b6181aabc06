import type { Request, Response } from 'express';
import { t } from '../i18n/translate.ts';
import { pickLocale } from './board/locale.ts';
import { html } from './html.ts';

/**
 * `GET /`: whoever opens the server's address first (an admin checking a
 * deployment, a resident typing the domain) learns what this is, which
 * version runs and where to start, instead of Express's "Cannot GET /".
 */
export function homePage(version: string) {
  return (req: Request, res: Response): void => {
    const { locale } = pickLocale(req.query.lang, req.get('accept-language'), 'zh-CN');
    res.type('text/html; charset=utf-8').send(
      html`<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${t(locale, 'home.title')}</title>
<style>body{font:16px/1.6 system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}</style></head>
<body><main><h1>${t(locale, 'home.title')}</h1><p>${t(locale, 'home.text')}</p><p>${t(locale, 'home.start')}</p>
<p><small>${t(locale, 'home.version', { version })} · <a href="/healthz">/healthz</a> · <a href="/?lang=${locale === 'en' ? 'zh-CN' : 'en'}">${locale === 'en' ? '中文' : 'English'}</a></small></p></main></body></html>`
        .text,
    );
  };
}
