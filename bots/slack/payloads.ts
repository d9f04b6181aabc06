/**
 * What the adapter reads from Slack's payloads, parsed with zod (Bolt
 * checked the signature, not the shape). Only the fields used are named;
 * anything else Slack adds passes through.
 */
import { z } from 'zod';

const Id = z.string().min(1).max(64);

/** A slash command (`/yishi vote 3 for`). */
export const SlashCommandSchema = z.object({
  team_id: Id,
  channel_id: Id,
  user_id: Id,
  text: z.string().default(''),
  trigger_id: Id.max(128),
  response_url: z.string().url().optional(),
});

/** A button press on one of our cards. */
export const BlockActionSchema = z.object({
  type: z.literal('block_actions'),
  team: z.object({ id: Id }).nullable(),
  user: z.object({ id: Id, team_id: Id.optional() }),
  channel: z.object({ id: Id }).optional(),
  container: z.object({ message_ts: z.string().optional(), thread_ts: z.string().optional() }),
  actions: z
    .array(z.object({ action_id: z.string(), value: z.string().optional(), action_ts: z.string() }))
    .length(1),
});

/** The propose form's submission (its fields are read by propose-modal.ts). */
export const ViewSubmissionSchema = z.object({
  team: z.object({ id: Id }).nullable(),
  user: z.object({ id: Id }),
  view: z.object({ id: Id }).passthrough(),
});

/** The envelope of an Events API delivery. */
export const EventEnvelopeSchema = z.object({ team_id: Id, event_id: Id });

/** `member_joined_channel` / `member_left_channel`. */
export const MemberEventSchema = z.object({ user: Id, channel: Id });

/**
 * An ordinary message in a public channel (`message.channels`), for hot
 * topics: a person's own post, not an edit, a join or a bot's.
 */
export const ChannelMessageSchema = z.object({
  channel: Id,
  channel_type: z.literal('channel'),
  user: Id,
  text: z.string(),
  subtype: z.undefined().optional(),
  bot_id: z.undefined().optional(),
});

/** A message in the bot's DM: a command without the slash (`vote 3 for`). */
export const DirectMessageSchema = z.object({
  channel: Id,
  channel_type: z.literal('im'),
  user: Id,
  text: z.string(),
  // Edits, joins, bots' own posts: not commands.
  subtype: z.undefined().optional(),
  bot_id: z.undefined().optional(),
  thread_ts: z.string().optional(),
});
