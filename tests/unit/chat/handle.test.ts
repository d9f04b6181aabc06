/**
 * The shared conversation against the in-memory store: what a resident would
 * be told, in which form, whatever platform renders it.
 */
import { describe, expect, it } from 'vitest';
import type { ChatContext } from '../../../src/app/ports/chat.ts';
import type { MessageLine } from '../../../src/app/ports/delivery.ts';
import type { ActorRef } from '../../../src/app/ports/store.ts';
import type { StatusReader } from '../../../src/app/status.ts';
import { parseCommand } from '../../../src/chat/commands.ts';
import { handle } from '../../../src/chat/handle.ts';
import type { ChatReply } from '../../../src/chat/reply-plan.ts';
import type { ChatDeps, ChatInput, ChatTurn } from '../../../src/chat/turn.ts';
import { type Locale, t } from '../../../src/i18n/translate.ts';
import { type MemoryCommunity, memoryCommunity } from '../../support/memory-store.ts';

const BOUND: ChatContext = {
  binding: {
    communityId: 'c1',
    buildingId: null,
    locale: null,
    communityLocale: 'en',
    timezone: 'Asia/Shanghai',
  },
  preference: null,
  communities: [],
};

function setup() {
  const c = memoryCommunity({ households: 10 });
  const deps: ChatDeps = {
    core: c.deps,
    // Not reached by the commands tested here.
    joinCodes: { clock: c.deps.clock, ids: c.deps.ids, joinCodes: {} as never },
    status: {} as StatusReader,
    chats: { setLocale: async () => 'binding' },
  };
  return { c, deps };
}

function turn(
  actor: ActorRef,
  options: Partial<Pick<ChatTurn, 'isPrivate' | 'chat' | 'commandPrefix' | 'platform'>> = {},
): ChatTurn {
  return {
    platform: options.platform ?? 'telegram',
    chatId: 'g1',
    userId: 'u1',
    isPrivate: options.isPrivate ?? false,
    thread: undefined,
    chat: options.chat ?? BOUND,
    locale: 'en',
    actor,
    idempotencyKey: `k-${Math.random()}`,
    replyKey: 'r',
    commandPrefix: options.commandPrefix ?? '/',
  };
}

const command = (line: string): ChatInput => {
  const [name = '', ...rest] = line.split(' ');
  return parseCommand(name, rest.join(' '));
};

/** The reply's words as the platform with `prefix` would show them. */
function words(reply: ChatReply, prefix = '/'): string {
  const say = (locale: Locale, lines: MessageLine[]) =>
    lines.map((l) => t(locale, l.key, { cmd: prefix, ...l.params })).join('\n');
  switch (reply.kind) {
    case 'message':
    case 'answer':
      return say(reply.locale, reply.lines);
    case 'card':
      return say(reply.message.locale, reply.message.lines);
    case 'none':
      return '';
  }
}

async function proposal(c: MemoryCommunity, deps: ChatDeps): Promise<void> {
  // In a private chat the new proposal is confirmed in words (a bound chat gets the card).
  const privateChat: ChatContext = {
    binding: null,
    preference: null,
    communities: [{ communityId: 'c1', name: 'A', locale: 'en', timezone: 'UTC' }],
  };
  const reply = await handle(
    deps,
    turn(c.as(5), { isPrivate: true, chat: privateChat }),
    command('propose Lift'),
  );
  expect(words(reply)).toContain('#1');
}

describe('handle', () => {
  it('lists in /help only what the person’s roles allow', async () => {
    const { c, deps } = setup();
    const help = async (actor: ActorRef) =>
      words(await handle(deps, turn(actor), command('help')))
        .split('\n')
        .filter((l) => l.startsWith('/'))
        .map((l) => l.split(' ')[0]);
    const resident = await help(c.as(5));
    expect(resident).toEqual([
      '/propose',
      '/cosign',
      '/vote',
      '/survey',
      '/withdraw',
      '/status',
      '/points',
      '/lang',
      '/help',
    ]);
    expect(await help(c.as(0))).toEqual(expect.arrayContaining(['/schedule', '/assign']));
    expect(await help(c.as(0))).not.toContain('/relay');
    expect(await help(c.as(1))).toContain('/relay');
    expect(await help(c.as(2))).toEqual(expect.arrayContaining(['/progress', '/done']));
    expect(await help({ kind: 'resident', residentId: 'nobody' })).toEqual([
      '/join',
      '/status',
      '/lang',
      '/help',
    ]);
  });

  it('removes a typed ballot from the chat; a refusal that reveals no choice is said there', async () => {
    const { c, deps } = setup();
    await proposal(c, deps);
    const reply = await handle(deps, turn(c.as(3)), command('vote 1 for'));
    expect(reply).toMatchObject({ kind: 'message', deleteCommand: true, privately: undefined });
    expect(words(reply)).toContain('Voting on #1 is not open');
    const number = await handle(deps, turn(c.as(3)), command('vote x for'));
    expect(number).toMatchObject({ kind: 'message', deleteCommand: false });
  });

  it('answers a button press to the presser, as an alert when refused', async () => {
    const { c, deps } = setup();
    await proposal(c, deps);
    const cosigned = await handle(deps, turn(c.as(6)), {
      kind: 'action',
      action: { kind: 'cosign', number: 1 },
    });
    expect(cosigned).toMatchObject({ kind: 'answer', alert: false });
    const refused = await handle(deps, turn(c.as(6)), {
      kind: 'action',
      action: { kind: 'vote', number: 1, choice: 'for' },
    });
    expect(refused).toMatchObject({ kind: 'answer', alert: true });
  });

  it('names the platform’s form of a command in a refusal', async () => {
    const { deps } = setup();
    const stranger: ActorRef = { kind: 'resident', residentId: 'nobody' };
    const slack = await handle(
      deps,
      turn(stranger, { platform: 'slack', commandPrefix: '/yishi ' }),
      command('cosign 1'),
    );
    expect(words(slack, '/yishi ')).toContain('/yishi join CODE');
    const telegram = await handle(deps, turn(stranger), command('cosign 1'));
    expect(words(telegram)).toContain('/join CODE');
    const usage = await handle(
      deps,
      turn(stranger, { commandPrefix: '/yishi ' }),
      command('relay 1 201'),
    );
    expect(usage).toMatchObject({ kind: 'message', deleteCommand: true });
    expect(words(usage, '/yishi ')).toContain('/yishi relay N UNIT');
  });

  it('asks a private chat linked in several communities to act from a group, before reading arguments', async () => {
    const { c, deps } = setup();
    const several: ChatContext = {
      binding: null,
      preference: null,
      communities: [
        { communityId: 'c1', name: 'A', locale: 'en', timezone: 'UTC' },
        { communityId: 'c2', name: 'B', locale: 'en', timezone: 'UTC' },
      ],
    };
    const reply = await handle(
      deps,
      turn(c.as(5), { isPrivate: true, chat: several }),
      command('vote x'),
    );
    expect(reply).toMatchObject({ kind: 'message', deleteCommand: false });
    expect(words(reply)).toContain('A, B');
    const pressed = await handle(deps, turn(c.as(5), { isPrivate: true, chat: several }), {
      kind: 'action',
      action: { kind: 'cosign', number: 1 },
    });
    expect(pressed).toMatchObject({ kind: 'answer', alert: true });
  });

  it('says nothing for a new proposal in a bound chat (its card is the answer), and names an unknown command', async () => {
    const { c, deps } = setup();
    expect(await handle(deps, turn(c.as(5)), command('propose Lift'))).toEqual({ kind: 'none' });
    const unknown = await handle(deps, turn(c.as(5)), command('frobnicate'));
    expect(words(unknown)).toContain('/frobnicate');
  });

  it('answers /lang in the new language', async () => {
    const { c, deps } = setup();
    const reply = await handle(deps, turn(c.as(5)), command('lang zh'));
    expect(reply).toMatchObject({ kind: 'message', locale: 'zh-CN' });
  });
});
