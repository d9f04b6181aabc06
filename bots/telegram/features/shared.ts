/**
 * Helpers the feature composers share: the reply context, the community
 * gate for private chats, and the refusal for a missing number.
 */
import { chatCommunity } from '../../../src/app/chat-ports.ts';
import type { MessageLine } from '../../../src/app/outbound.ts';
import { NumberArg } from '../args.ts';
import type { TelegramDeps, Turn, YishiContext } from '../context.ts';
import { type ReplyContext, usageOf } from '../replies.ts';
import { replyOnce } from '../reply.ts';

/** Communities without a configured zone live in the default one. */
const DEFAULT_TIMEZONE = 'Asia/Shanghai';

export function replyContext(turn: Turn, command: string): ReplyContext {
  const community = chatCommunity(turn.chat);
  return {
    locale: turn.locale,
    timezone: community.kind === 'community' ? community.timezone : DEFAULT_TIMEZONE,
    command,
  };
}

/**
 * False (after saying why) when a private chat cannot tell the community:
 * the account is linked in several. Everything else is the core's to check.
 */
export async function communityKnown(ctx: YishiContext, deps: TelegramDeps): Promise<boolean> {
  const community = chatCommunity(ctx.turn.chat);
  if (community.kind !== 'several') return true;
  await replyOnce(ctx, deps, [
    {
      key: 'refusal.several_communities',
      params: { communities: community.names.join(ctx.turn.locale === 'en' ? ', ' : '、') },
    },
  ]);
  return false;
}

/** The proposal number at the start of `text`, or undefined after telling how to write it. */
export async function numberArg(
  ctx: YishiContext,
  deps: TelegramDeps,
  command: string,
  word: string | undefined,
): Promise<number | undefined> {
  const parsed = NumberArg.safeParse(word ?? '');
  if (parsed.success) return parsed.data;
  await replyOnce(ctx, deps, [{ key: 'refusal.invalid.number', params: { command } }]);
  return undefined;
}

/** The refusal for arguments that do not fit: the command's syntax. */
export function usageLines(command: string, turn: Turn): MessageLine[] {
  return [{ key: 'refusal.invalid.arguments', params: { usage: usageOf(command, turn.locale) } }];
}

/** The text after the command (grammY's `match` for command handlers). */
export function commandText(ctx: YishiContext): string {
  return typeof ctx.match === 'string' ? ctx.match : '';
}
