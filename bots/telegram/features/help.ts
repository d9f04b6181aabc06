import { Composer } from 'grammy';
import { chatCommunity } from '../../../src/app/chat-ports.ts';
import { isRefusal } from '../../../src/app/core.ts';
import type { MessageLine } from '../../../src/app/outbound.ts';
import type { Actor } from '../../../src/app/ports.ts';
import { HELP_COMMANDS, type HelpCommand } from '../../../src/i18n/translate.ts';
import type { TelegramDeps, YishiContext } from '../context.ts';
import { replyOnce } from '../reply.ts';

/** Whether `actor` (undefined: not linked) may use `command`; the core checks again on use. */
export function mayUse(command: HelpCommand, actor: Actor | undefined): boolean {
  switch (command) {
    case 'status':
    case 'lang':
    case 'help':
      return true;
    case 'join':
      return actor === undefined;
    case 'propose':
    case 'cosign':
    case 'vote':
    case 'survey':
    case 'withdraw':
    case 'points':
      return actor !== undefined;
    case 'relay':
      return actor?.roles.includes('representative') ?? false;
    case 'schedule':
    case 'assign':
      return actor?.roles.includes('committee') ?? false;
    case 'progress':
    case 'done':
      return (actor?.roles.includes('executor') ?? false) && actor?.executingUnitId !== null;
  }
}

/** `/help`: only the commands this person may use here, per their roles on the roster. */
export function helpFeature(deps: TelegramDeps): Composer<YishiContext> {
  const feature = new Composer<YishiContext>();
  feature.command(['help', 'start'], async (ctx) => {
    const community = chatCommunity(ctx.turn.chat);
    let actor: Actor | undefined;
    if (community.kind === 'community') {
      const found = await deps.core.store.transact((tx) => tx.actor(ctx.turn.actor));
      actor = isRefusal(found) ? undefined : found;
    }
    const lines: MessageLine[] = [{ key: 'help.heading', params: {} }];
    for (const command of HELP_COMMANDS) {
      if (mayUse(command, actor)) lines.push({ key: `help.${command}`, params: {} });
    }
    if (community.kind === 'several') {
      lines.push({
        key: 'refusal.several_communities',
        params: { communities: community.names.join(ctx.turn.locale === 'en' ? ', ' : '、') },
      });
    }
    await replyOnce(ctx, deps, lines);
  });
  return feature;
}
