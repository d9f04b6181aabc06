/**
 * Turning message keys into text for a chat's locale: ICU MessageFormat
 * messages (compiled once per locale and key), dates in the community's time
 * zone, text progress bars, and the `/lang` argument.
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { YishiError } from '../errors.ts';
import { en, type MessageKey } from './catalog-en.ts';
import { zhCN } from './catalog-zh-CN.ts';

// Category labels live with the categories; adapters take them from here too.
export { categoryLabel } from '../domain/categories.ts';
export type { MessageKey } from './catalog-en.ts';

export type Locale = 'zh-CN' | 'en';

export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

/**
 * Message params. Numbers are formatted by the message (`{n, number}`,
 * plurals); a boolean is passed to `select` as `"true"` / `"false"`.
 * Dates and codes shown to people are passed already formatted
 * ({@link formatDateTime}, label keys such as `state.proposal.voting`).
 */
export type MessageParams = Readonly<Record<string, string | number | boolean>>;

/**
 * Messages write a command as `{cmd}vote {number} for`: `cmd` is how the
 * platform the text goes to starts a command (Telegram `/`, Slack `/yishi `).
 * A renderer passes its platform's; without one the text reads Telegram-style,
 * the form the catalogues' examples are written in.
 */
export const COMMAND_PREFIX_PARAM = 'cmd';
export const DEFAULT_COMMAND_PREFIX = '/';

const CATALOGS: Readonly<Record<Locale, Readonly<Record<MessageKey, string>>>> = {
  'zh-CN': zhCN,
  en,
};

type HelpKeySuffix<K> = K extends `help.${infer C}` ? C : never;

/** The commands of the chat contract, in the order `/help` lists them (`help.<command>`). */
export const HELP_COMMANDS = [
  'join',
  'propose',
  'cosign',
  'vote',
  'relay',
  'schedule',
  'assign',
  'progress',
  'done',
  'survey',
  'withdraw',
  'status',
  'points',
  'lang',
  'topics',
  'help',
] as const satisfies readonly HelpKeySuffix<MessageKey>[];

export type HelpCommand = (typeof HELP_COMMANDS)[number];

const compiled = new Map<string, IntlMessageFormat>();

/** The compiled message (cached); its `getAst()` names the params it takes. */
export function compileMessage(locale: Locale, key: MessageKey): IntlMessageFormat {
  const cacheKey = `${locale}\u0000${key}`;
  let format = compiled.get(cacheKey);
  if (format === undefined) {
    // ignoreTag: a `<` in a message is text, never an ICU rich-text tag.
    format = new IntlMessageFormat(CATALOGS[locale][key], locale, undefined, { ignoreTag: true });
    compiled.set(cacheKey, format);
  }
  return format;
}

/**
 * The text of `key` in `locale` with `params` filled in. A param the message
 * uses but `params` lacks is a bug: it throws a {@link YishiError}
 * (`i18n_format`); extra params are ignored. `cmd` defaults to
 * {@link DEFAULT_COMMAND_PREFIX}.
 */
export function t(locale: Locale, key: MessageKey, params: MessageParams = {}): string {
  const values: Record<string, string | number> = {
    [COMMAND_PREFIX_PARAM]: DEFAULT_COMMAND_PREFIX,
  };
  for (const [name, value] of Object.entries(params)) {
    values[name] = typeof value === 'boolean' ? String(value) : value;
  }
  try {
    const text = compileMessage(locale, key).format<string>(values);
    return Array.isArray(text) ? text.join('') : text;
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new YishiError('i18n_format', `cannot format ${locale} "${key}": ${detail}`, { cause });
  }
}

type DateParts = Partial<Record<Intl.DateTimeFormatPartTypes, string>>;

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateParts(date: Date, locale: Locale, timeZone: string): DateParts {
  const cacheKey = `${locale}\u0000${timeZone}`;
  let format = dateFormats.get(cacheKey);
  if (format === undefined) {
    // en-US short months ("Sep"; en-GB says "Sept"); the order is assembled below.
    format = new Intl.DateTimeFormat(locale === 'en' ? 'en-US' : 'zh-CN', {
      timeZone,
      weekday: 'short',
      month: locale === 'en' ? 'short' : 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    dateFormats.set(cacheKey, format);
  }
  const parts: DateParts = {};
  for (const part of format.formatToParts(date)) {
    if (part.type !== 'literal') parts[part.type] = part.value;
  }
  return parts;
}

/** A day as residents read it: zh `12月8日 周二`, en `Tue 8 Dec`, in `timeZone` (IANA). */
export function formatDate(date: Date, locale: Locale, timeZone: string): string {
  const p = dateParts(date, locale, timeZone);
  return locale === 'en'
    ? `${p.weekday} ${p.day} ${p.month}`
    : `${p.month}月${p.day}日 ${p.weekday}`;
}

/** A moment as residents read it: zh `12月8日 周二 10:00`, en `Tue 8 Dec, 10:00`, in `timeZone` (IANA). */
export function formatDateTime(date: Date, locale: Locale, timeZone: string): string {
  const p = dateParts(date, locale, timeZone);
  const time = `${p.hour}:${p.minute}`;
  return locale === 'en'
    ? `${p.weekday} ${p.day} ${p.month}, ${time}`
    : `${p.month}月${p.day}日 ${p.weekday} ${time}`;
}

const listFormats = new Map<Locale, Intl.ListFormat>();

/** Names joined for a message param: zh `物业、业委会和施工方`, en `A, B and C`. */
export function formatList(items: readonly string[], locale: Locale): string {
  let format = listFormats.get(locale);
  if (format === undefined) {
    format = new Intl.ListFormat(locale === 'en' ? 'en-GB' : 'zh-CN', { type: 'conjunction' });
    listFormats.set(locale, format);
  }
  return format.format(items);
}

/**
 * A text bar of `width` cells for `count` of `total`: `progressBar(3, 10)` is
 * `▓▓▓░░░░░░░`. Any progress shows at least one cell, and the bar is full only
 * when `count` reaches `total`.
 */
export function progressBar(count: number, total: number, width = 10): string {
  const cells = Number.isFinite(width) ? Math.max(0, Math.floor(width)) : 0;
  let filled = 0;
  if (total > 0 && count > 0 && cells > 0) {
    filled = Math.round((Math.min(count, total) / total) * cells);
    if (filled === 0) filled = 1;
    if (filled === cells && count < total) filled = cells - 1;
  }
  return '▓'.repeat(filled) + '░'.repeat(cells - filled);
}

const LOCALE_NAMES: ReadonlyMap<string, Locale> = new Map<string, Locale>([
  ['zh', 'zh-CN'],
  ['zh-cn', 'zh-CN'],
  ['zh-hans', 'zh-CN'],
  ['zh-hans-cn', 'zh-CN'],
  ['cn', 'zh-CN'],
  ['chinese', 'zh-CN'],
  ['中文', 'zh-CN'],
  ['简体中文', 'zh-CN'],
  ['汉语', 'zh-CN'],
  ['en', 'en'],
  ['en-us', 'en'],
  ['en-gb', 'en'],
  ['english', 'en'],
  ['英文', 'en'],
  ['英语', 'en'],
]);

/** The locale a person means by `/lang TEXT` (`zh`, `zh-CN`, `cn`, `中文`, `en`, `english` ...), or undefined. */
export function normalizeLocale(text: string): Locale | undefined {
  return LOCALE_NAMES.get(text.trim().toLowerCase().replaceAll('_', '-'));
}
