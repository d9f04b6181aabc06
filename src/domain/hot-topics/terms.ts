/**
 * The terms of one chat message, the only thing the hot-topics count ever
 * sees of it: words (Intl.Segmenter, word granularity), the character pairs
 * inside each run of Han characters (the segmenter cuts 外墙 into 外 + 墙,
 * so pairs catch what it splits), a word with the single character it left
 * right after it (快递 + 柜 gives 快递柜), and adjacent word pairs; stop
 * words and single characters dropped. Pure: the same text
 * always gives the same terms.
 */
import { STOPWORDS_EN } from './stopwords-en.ts';
import { FUNCTION_CHARACTERS_ZH, STOPWORDS_ZH } from './stopwords-zh.ts';

/** Longer terms are cut off: a term is a key in Redis and a row in PostgreSQL. */
export const MAX_TERM_LENGTH = 24;

/** Messages past this many characters are read up to it (a pasted notice is not chat). */
export const MAX_MESSAGE_LENGTH = 2000;

const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

const HAN = /\p{Script=Han}/u;
const HAN_RUN = /\p{Script=Han}+/gu;
const WORD_CHARACTER = /[\p{L}\p{N}]/u;

const isStopWord = (word: string) => STOPWORDS_ZH.has(word) || STOPWORDS_EN.has(word);

/** Counts one character as one, whatever its UTF-16 length. */
const characters = (word: string) => [...word].length;

function keep(word: string): boolean {
  return characters(word) > 1 && characters(word) <= MAX_TERM_LENGTH && !isStopWord(word);
}

/** Chinese pairs read as one word (停车 + 收费 -> 停车收费); others keep a space. */
function joinPair(a: string, b: string): string {
  return HAN.test(a.slice(-1)) && HAN.test(b[0] ?? '') ? a + b : `${a} ${b}`;
}

/**
 * The distinct terms of `text`, each once however often it occurs: one
 * message is one voice, so repeating a word in it does not make a topic.
 */
export function messageTerms(text: string): Set<string> {
  const input = text.slice(0, MAX_MESSAGE_LENGTH).toLowerCase();
  const terms = new Set<string>();
  // Adjacent kept words form a pair; punctuation (not spaces) ends a phrase.
  let previous: string | undefined;
  // Characters the segmenter left alone (外 | 墙): pairs are rebuilt from these only, so a
  // pair never straddles a word it did find (号楼 | 电梯 gives no 楼电).
  const alone = new Set<number>();
  // The last kept Han word and where it ends, for a single character right after it.
  let word: { text: string; end: number } | undefined;
  for (const { segment, index, isWordLike } of segmenter.segment(input)) {
    if (segment.length === 1 && HAN.test(segment)) {
      alone.add(index);
      // 快递 + 柜: the segmenter's word is the stem of a longer one (快递柜, 充电桩).
      if (word?.end === index && !FUNCTION_CHARACTERS_ZH.has(segment)) {
        const longer = word.text + segment;
        if (keep(longer)) terms.add(longer);
      }
    }
    word = undefined;
    if (!isWordLike) {
      if (segment.trim() !== '') previous = undefined;
      continue;
    }
    if (!WORD_CHARACTER.test(segment) || !keep(segment)) {
      // A dropped word still separates its neighbours only when it is a real word.
      if (characters(segment) > 1) previous = undefined;
      continue;
    }
    terms.add(segment);
    if (HAN.test(segment.slice(-1))) word = { text: segment, end: index + segment.length };
    if (previous !== undefined) {
      const pair = joinPair(previous, segment);
      if (characters(pair) <= MAX_TERM_LENGTH) terms.add(pair);
    }
    previous = segment;
  }
  for (const match of input.matchAll(HAN_RUN)) {
    const chars = [...match[0]];
    const start = match.index;
    for (let i = 0; i + 1 < chars.length; i++) {
      // Han characters are one UTF-16 unit each in the BMP; a rarer one simply forms no pair.
      if (!alone.has(start + i) || !alone.has(start + i + 1)) continue;
      const [a = '', b = ''] = [chars[i], chars[i + 1]];
      if (FUNCTION_CHARACTERS_ZH.has(a) || FUNCTION_CHARACTERS_ZH.has(b)) continue;
      if (!isStopWord(a + b)) terms.add(a + b);
    }
  }
  return terms;
}
