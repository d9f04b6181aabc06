import type { Locale } from '../../i18n/translate.ts';

/**
 * The page's language: `?lang=en|zh-CN` first, then the browser's
 * Accept-Language (the first of ours it names), then the community's own.
 */
export function pickLocale(
  query: unknown,
  acceptLanguage: string | undefined,
  fallback: Locale,
): { locale: Locale; chosen: boolean } {
  if (typeof query === 'string') {
    const q = query.toLowerCase();
    if (q === 'en' || q.startsWith('en-')) return { locale: 'en', chosen: true };
    if (q === 'zh' || q.startsWith('zh')) return { locale: 'zh-CN', chosen: true };
  }
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag, weight: q ? Number(q.trim().slice(2)) || 0 : 1, index };
    })
    .filter((l) => l.tag !== '' && l.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index);
  for (const { tag } of ranked) {
    if (tag === 'en' || tag.startsWith('en-')) return { locale: 'en', chosen: false };
    if (tag === 'zh' || tag.startsWith('zh-')) return { locale: 'zh-CN', chosen: false };
  }
  return { locale: fallback, chosen: false };
}
