/**
 * Command arguments as people type them, parsed with zod. Numbers may carry
 * a `#`; choices and answers are English keywords, with the Chinese words
 * residents are likely to type accepted too.
 */
import { z } from 'zod';
import type { Choice } from '../app/ports/store.ts';

/** `12` or `#12`. */
export const NumberArg = z
  .string()
  .regex(/^[#＃]?[1-9][0-9]{0,8}$/)
  .transform((s) => Number(s.replace(/^[#＃]/, '')));

const CHOICES: Readonly<Record<string, Choice>> = {
  for: 'for',
  yes: 'for',
  赞成: 'for',
  同意: 'for',
  against: 'against',
  no: 'against',
  反对: 'against',
  abstain: 'abstain',
  弃权: 'abstain',
};

export const ChoiceArg = z
  .string()
  .transform((s) => CHOICES[s.toLowerCase()])
  .pipe(z.enum(['for', 'against', 'abstain']));

const ANSWERS: Readonly<Record<string, 'yes' | 'no' | 1 | 2 | 3 | 4 | 5>> = {
  yes: 'yes',
  y: 'yes',
  满意: 'yes',
  no: 'no',
  n: 'no',
  不满意: 'no',
  '1': 1,
  '2': 2,
  '3': 3,
  '4': 4,
  '5': 5,
};

export const SurveyAnswerArg = z
  .string()
  .transform((s) => ANSWERS[s.toLowerCase()])
  .pipe(z.union([z.enum(['yes', 'no']), z.literal([1, 2, 3, 4, 5])]));

/** `60` or `60%`. */
export const PercentArg = z
  .string()
  .regex(/^\d{1,3}[%％]?$/)
  .transform((s) => Number.parseInt(s, 10));

/** The whitespace-separated words of a command's text. */
export function words(text: string): string[] {
  return text.trim().split(/\s+/u).filter(Boolean);
}

/** The first word and the rest of the text after it (the rest keeps its spacing and newlines). */
export function splitFirst(text: string): [string, string] {
  const trimmed = text.trimStart();
  const match = /^(\S+)\s*([\s\S]*)$/u.exec(trimmed);
  return match ? [match[1] ?? '', (match[2] ?? '').trim()] : ['', ''];
}

/**
 * `/propose TITLE` with the body on the following lines and an optional
 * `#category` anywhere (the first one found is taken and removed).
 */
export function parseProposal(text: string): {
  title: string;
  body: string;
  category: string | undefined;
} {
  let category: string | undefined;
  const cleaned = text.replace(/(^|\s)[#＃]([a-z][a-z0-9_]{0,31})(?=\s|$)/u, (_m, space, slug) => {
    category = slug;
    return space;
  });
  const [first = '', ...rest] = cleaned.split('\n');
  return { title: first.trim(), body: rest.join('\n').trim(), category };
}

/** `lead=NAME due=DATE [coop=A,B]`: values run up to the next `key=`, so names may contain spaces. */
export function parseAssignment(text: string): {
  lead: string | undefined;
  due: string | undefined;
  coop: string[];
} {
  const found = new Map<string, string>();
  const pattern = /(?:^|\s)(lead|due|coop)\s*[=＝]/giu;
  const marks = [...text.matchAll(pattern)];
  marks.forEach((mark, i) => {
    const start = (mark.index ?? 0) + mark[0].length;
    const end = marks[i + 1]?.index ?? text.length;
    const key = (mark[1] ?? '').toLowerCase();
    if (!found.has(key)) found.set(key, text.slice(start, end).trim());
  });
  const coop = (found.get('coop') ?? '')
    .split(/[,，、]/u)
    .map((s) => s.trim())
    .filter(Boolean);
  return { lead: found.get('lead'), due: found.get('due'), coop };
}
