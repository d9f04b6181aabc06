/**
 * The push job's payload, parsed at the queue boundary. The shapes are the
 * core's (src/app/ports/queue.ts); the checks below keep the schemas and
 * those types identical.
 */
import { z } from 'zod';
import type * as Port from '../../src/app/ports/queue.ts';

const platform = z.enum(['telegram', 'slack']);
const id = z.string().min(1).max(100);

export const PUBLICATION_KINDS = [
  'proposal_card',
  'vote_card',
  'result_card',
  'resolution_card',
  'survey_card',
] as const satisfies readonly Port.CardPush['card'][];

/** A card shown in a bound chat, edited in place when it exists there already. */
export const CardPush = z.object({
  kind: z.literal('card'),
  communityId: id,
  number: z.number().int().positive(),
  card: z.enum(PUBLICATION_KINDS),
  platform,
  chatId: id,
});

/**
 * A one-off message: a reminder, an escalation level, the weekly digest.
 * `key` names it uniquely and is recorded in NoticeSent once it went out to
 * this target, e.g. `v1-remind-vote-<proposalId>-1d`.
 */
export const NoticePush = z.object({
  kind: z.literal('notice'),
  key: z.string().regex(/^[A-Za-z0-9_-]{1,160}$/),
  notice: z.enum([
    'vote_reminder',
    'vote_reminder_private',
    'due_reminder',
    'escalation',
    'digest',
    'chat_restored',
    'watch_alert',
  ]),
  communityId: id,
  /** The proposal/resolution number; absent for the digest. */
  number: z.number().int().positive().optional(),
  /** Escalation level (1..3) or reminder offset in ms before the deadline. */
  detail: z.number().int().optional(),
  /** For chat_restored: the bound chat the bot is back in. */
  about: z.object({ platform, chatId: id }).optional(),
  /** For watch_alert: the alert's key (its WatchAlert row). */
  alert: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,160}$/)
    .optional(),
  platform,
  chatId: id,
});

export const PushRequest = z.discriminatedUnion('kind', [CardPush, NoticePush]);
export type PushRequest = z.infer<typeof PushRequest>;
export type CardPush = z.infer<typeof CardPush>;
export type NoticePush = z.infer<typeof NoticePush>;

// Compile-time: each schema parses to exactly the port's type, both ways.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameShapes: [
  Same<CardPush, Port.CardPush>,
  Same<NoticePush, Port.NoticePush>,
  Same<PushRequest, Port.PushRequest>,
] = [true, true, true];
void sameShapes;
