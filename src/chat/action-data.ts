/**
 * Button payloads, the same on every platform (Telegram `callback_data`,
 * Slack `action_id`/`value`). Platforms hand back whatever a client sends,
 * and Telegram carries at most 64 bytes, so the payload is short, versioned
 * (`v1`), and parsed with zod; it names only the action and the proposal
 * number. The community always comes from the chat the button was pressed
 * in, and the use case re-checks state and rights.
 *
 *   v1:c:12      co-sign #12
 *   v1:v:12:f    vote for (a: against, x: abstain) on #12
 *   v1:s:12:y    survey answer yes (n: no) on resolution #12
 *   v1:t:345     a proposal draft about hot-topics term 345 (its id, not its text)
 */
import { z } from 'zod';
import type { ButtonAction } from '../app/ports/delivery.ts';
import type { Choice } from '../app/ports/store.ts';

/** The tightest platform limit on a payload (Telegram's `callback_data`), in bytes (UTF-8). */
export const ACTION_DATA_MAX_BYTES = 64;

/** Proposal numbers fit a PostgreSQL integer. */
const MAX_NUMBER = 2_147_483_647;

const CHOICE_CODES = { f: 'for', a: 'against', x: 'abstain' } as const satisfies Record<
  string,
  Choice
>;
const CHOICE_OF: Readonly<Record<Choice, keyof typeof CHOICE_CODES>> = {
  for: 'f',
  against: 'a',
  abstain: 'x',
};

const NumberPart = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/)
  .transform(Number)
  .pipe(z.number().int().max(MAX_NUMBER));

const ActionDataSchema = z
  .string()
  .max(ACTION_DATA_MAX_BYTES)
  .transform((data) => data.split(':'))
  .pipe(
    z.union([
      z
        .tuple([z.literal('v1'), z.literal('c'), NumberPart])
        .transform(([, , number]): ButtonAction => ({ kind: 'cosign', number })),
      z.tuple([z.literal('v1'), z.literal('v'), NumberPart, z.enum(['f', 'a', 'x'])]).transform(
        ([, , number, code]): ButtonAction => ({
          kind: 'vote',
          number,
          choice: CHOICE_CODES[code],
        }),
      ),
      z.tuple([z.literal('v1'), z.literal('s'), NumberPart, z.enum(['y', 'n'])]).transform(
        ([, , number, code]): ButtonAction => ({
          kind: 'survey',
          number,
          answer: code === 'y' ? 'yes' : 'no',
        }),
      ),
      z
        .tuple([z.literal('v1'), z.literal('t'), NumberPart])
        .transform(([, , termId]): ButtonAction => ({ kind: 'topic', termId })),
    ]),
  );

/** The payload of a button. */
export function encodeActionData(action: ButtonAction): string {
  switch (action.kind) {
    case 'cosign':
      return `v1:c:${action.number}`;
    case 'vote':
      return `v1:v:${action.number}:${CHOICE_OF[action.choice]}`;
    case 'survey':
      return `v1:s:${action.number}:${action.answer === 'yes' ? 'y' : 'n'}`;
    case 'topic':
      return `v1:t:${action.termId}`;
  }
}

/** The action a payload names, or undefined for anything forged, stale in format, or malformed. */
export function parseActionData(data: unknown): ButtonAction | undefined {
  const parsed = ActionDataSchema.safeParse(data);
  return parsed.success ? parsed.data : undefined;
}
