import { createHash } from 'node:crypto';
import type { RandomSource } from './ports/clock.ts';

// No 0/O, 1/I/L: codes are read aloud and copied from paper by elderly residents.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
const LENGTH = 8;

/** A new join code, shown as `ABCD-EFGH`. 31^8 ≈ 8.5e11 possibilities. */
export function newJoinCode(random: RandomSource): string {
  const chars = random.ints(LENGTH, ALPHABET.length).map((i) => ALPHABET[i] ?? '');
  return `${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}

/** Upper case, without spaces or dashes; null when it cannot be a code. */
export function normalizeJoinCode(text: string): string | null {
  const code = text.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== LENGTH) return null;
  for (const c of code) if (!ALPHABET.includes(c)) return null;
  return code;
}

/** Codes are high-entropy and single-use, so a plain SHA-256 suffices to keep them unreadable at rest. */
export function hashJoinCode(normalized: string): string {
  return createHash('sha256').update(`yishi-join:${normalized}`).digest('hex');
}
