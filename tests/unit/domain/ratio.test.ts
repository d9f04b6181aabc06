import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ceilShare,
  formatRatio,
  meets,
  parseRatio,
  type Ratio,
} from '../../../src/domain/ratio.ts';

const r = (num: number, den: number): Ratio => ({ num, den });

describe('parseRatio', () => {
  it('converts decimals exactly, via their digits', () => {
    expect(parseRatio(0.3)).toEqual(r(3, 10));
    expect(parseRatio(0.7)).toEqual(r(7, 10));
    expect(parseRatio(0.6)).toEqual(r(3, 5));
    expect(parseRatio(0.125)).toEqual(r(1, 8));
    expect(parseRatio(1e-6)).toEqual(r(1, 1_000_000));
    expect(parseRatio(0)).toEqual(r(0, 1));
    expect(parseRatio(1)).toEqual(r(1, 1));
  });

  it('reads fraction, decimal and percent strings', () => {
    expect(parseRatio('2/3')).toEqual(r(2, 3));
    expect(parseRatio('4/6')).toEqual(r(2, 3));
    expect(parseRatio('0.7')).toEqual(r(7, 10));
    expect(parseRatio('30%')).toEqual(r(3, 10));
    expect(parseRatio('66.5%')).toEqual(r(133, 200));
  });

  it('refuses values outside 0..1 and non-ratios', () => {
    for (const value of [
      1.5,
      -0.1,
      '3/2',
      '1/0',
      'two thirds',
      '101%',
      Number.NaN,
      true,
      null,
      1e-7,
    ]) {
      expect(parseRatio(value)).toBeNull();
    }
  });
});

describe('ceilShare', () => {
  it('is the smallest whole count reaching the share', () => {
    expect(ceilShare(r(3, 10), 100)).toBe(30);
    expect(ceilShare(r(3, 10), 7)).toBe(3);
    expect(ceilShare(r(2, 3), 100)).toBe(67);
    expect(ceilShare(r(2, 3), 9)).toBe(6);
    expect(ceilShare(r(7, 10), 10)).toBe(7);
    expect(ceilShare(r(7, 10), 0)).toBe(0);
  });

  it('equals the brute-force smallest k with k * den >= num * n', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 2000 }),
        (den, numRaw, n) => {
          const num = numRaw % (den + 1);
          let k = 0;
          while (k * den < num * n) k += 1;
          expect(ceilShare(r(num, den), n)).toBe(k);
          expect(meets(k, r(num, den), n)).toBe(true);
          if (k > 0) expect(meets(k - 1, r(num, den), n)).toBe(false);
        },
      ),
    );
  });
});

describe('meets', () => {
  it('is exact at the boundaries', () => {
    expect(meets(7, r(7, 10), 10)).toBe(true);
    expect(meets(6, r(7, 10), 10)).toBe(false);
    expect(meets(6, r(2, 3), 9)).toBe(true);
    expect(meets(5, r(2, 3), 9)).toBe(false);
    expect(meets(67, r(2, 3), 100)).toBe(true);
    expect(meets(66, r(2, 3), 100)).toBe(false);
  });
});

describe('formatRatio', () => {
  it('writes finite decimals as numbers and the rest as fractions', () => {
    expect(formatRatio(r(3, 10))).toBe(0.3);
    expect(formatRatio(r(3, 5))).toBe(0.6);
    expect(formatRatio(r(1, 8))).toBe(0.125);
    expect(formatRatio(r(1, 1))).toBe(1);
    expect(formatRatio(r(0, 1))).toBe(0);
    expect(formatRatio(r(2, 3))).toBe('2/3');
  });

  it('round-trips through parseRatio', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.nat(1000), (den, numRaw) => {
        const parsed = parseRatio(`${numRaw % (den + 1)}/${den}`);
        expect(parsed).not.toBeNull();
        if (parsed) expect(parseRatio(formatRatio(parsed))).toEqual(parsed);
      }),
    );
  });
});
