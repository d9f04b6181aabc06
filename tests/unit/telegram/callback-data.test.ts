import { describe, expect, it } from 'vitest';
import {
  CALLBACK_DATA_MAX_BYTES,
  encodeCallbackData,
  parseCallbackData,
} from '../../../bots/telegram/callback-data.ts';
import type { ButtonAction } from '../../../src/app/ports/delivery.ts';

const MAX_NUMBER = 2_147_483_647;

describe('callback data', () => {
  const actions: ButtonAction[] = [
    { kind: 'cosign', number: 1 },
    { kind: 'vote', number: 12, choice: 'for' },
    { kind: 'vote', number: 12, choice: 'against' },
    { kind: 'vote', number: 12, choice: 'abstain' },
    { kind: 'survey', number: 7, answer: 'yes' },
    { kind: 'survey', number: 7, answer: 'no' },
  ];

  it.each(actions)('round-trips %j', (action) => {
    expect(parseCallbackData(encodeCallbackData(action))).toEqual(action);
  });

  it('keeps the longest payload (largest number, longest action) within 64 bytes', () => {
    const longest =
      [
        encodeCallbackData({ kind: 'cosign', number: MAX_NUMBER }),
        encodeCallbackData({ kind: 'vote', number: MAX_NUMBER, choice: 'abstain' }),
        encodeCallbackData({ kind: 'survey', number: MAX_NUMBER, answer: 'yes' }),
      ].sort((a, b) => b.length - a.length)[0] ?? '';
    expect(longest).toBe('v1:v:2147483647:x');
    expect(Buffer.byteLength(longest, 'utf8')).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
    expect(parseCallbackData(longest)).toEqual({
      kind: 'vote',
      number: MAX_NUMBER,
      choice: 'abstain',
    });
  });

  it.each([
    undefined,
    null,
    42,
    '',
    'v1',
    'v1:c',
    'v1:c:0',
    'v1:c:-3',
    'v1:c:012',
    'v1:c:1.5',
    'v1:c:2147483648',
    'v1:c:99999999999',
    'v1:c:12:extra',
    'v1:v:12',
    'v1:v:12:for',
    'v1:v:12:F',
    'v1:s:12:maybe',
    'v2:c:12',
    'V1:c:12',
    'v1:x:12',
    ' v1:c:12',
    'v1:c:12 ',
    `v1:c:${'9'.repeat(60)}`,
    'v1:c:１２',
  ])('refuses %j', (data) => {
    expect(parseCallbackData(data)).toBeUndefined();
  });
});
