/**
 * Slack's deliveries -> the shared conversation (src/chat) -> the reply,
 * sent once. Every listener acknowledges first: Slack wants an answer
 * within 3 seconds whatever the database is doing, so the work (the turn's
 * query, the use case, the reply through `response_url` or the Web API)
 * runs after the acknowledgement. A failure then cannot make Slack retry;
 * it is logged, and a slash command's author is told to try again.
 */
import type { App, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { recordBotMembership } from '../../src/app/chat-membership.ts';
import { parseActionData } from '../../src/chat/action-data.ts';
import {
  commandName,
  parseCommand,
  splitCommandLine,
  UNBOUND_COMMANDS,
} from '../../src/chat/commands.ts';
import { castAhead, handle } from '../../src/chat/handle.ts';
import { invalidActionLines, unboundChatLines } from '../../src/chat/refusals.ts';
import { say } from '../../src/chat/reply-plan.ts';
import type { ChatTurn } from '../../src/chat/turn.ts';
import { decodeSlackText } from './escape.ts';
import {
  BlockActionSchema,
  ChannelMessageSchema,
  DirectMessageSchema,
  EventEnvelopeSchema,
  MemberEventSchema,
  SlashCommandSchema,
  ViewSubmissionSchema,
} from './payloads.ts';
import { PROPOSE_CALLBACK_ID, proposeModal, readProposeSubmission } from './propose-modal.ts';
import { renderReply } from './render.ts';
import { deliver, replier } from './reply.ts';
import { loadSlackTurn, type SlackDeps, slackTurnIn, slackTurnKeys } from './turn.ts';

/** The one slash command (manifest.yaml). */
export const SLASH_COMMAND = '/yishi';

/**
 * The work still running after its acknowledgement: a shutdown waits for
 * it, so an acknowledged delivery is not dropped half-way.
 */
export type PendingWork = {
  track(work: Promise<void>): Promise<void>;
  /** Resolves once nothing acknowledged is still being handled. */
  settled(): Promise<void>;
};

function pendingWork(): PendingWork {
  const running = new Set<Promise<void>>();
  return {
    track(work) {
      running.add(work);
      return work.finally(() => running.delete(work));
    },
    async settled() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

/** Runs work after the acknowledgement; a failure is logged and, where possible, said. */
async function run(
  deps: SlackDeps,
  what: string,
  work: () => Promise<void>,
  tell?: RespondFn,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    deps.log.error({ err: error }, `slack ${what} failed`);
    if (!tell) return;
    await tell({
      response_type: 'ephemeral',
      replace_original: false,
      text: renderReply('zh-CN', [{ key: 'error.internal', params: {} }]),
    }).catch(() => {});
  }
}

/**
 * A command line from a slash command or a DM: the shared parser, with a
 * bare `/yishi` read as `help`, and the refusal of an unbound channel.
 */
async function runCommand(
  deps: SlackDeps,
  turn: ChatTurn,
  to: ReturnType<typeof replier>,
  line: string,
  openForm?: () => Promise<boolean>,
): Promise<void> {
  const { name, text } = line === '' ? { name: 'help', text: '' } : splitCommandLine(line);
  const known = commandName(name);
  if (!turn.isPrivate && !turn.chat.binding && !UNBOUND_COMMANDS.has(known ?? name)) {
    const lines = unboundChatLines(turn);
    await deliver(deps, turn, to, say(turn.locale, lines, { privately: { fallback: lines } }));
    return;
  }
  if (known === 'propose' && text.trim() === '' && openForm && (await openForm())) return;
  await deliver(deps, turn, to, await handle(deps, turn, parseCommand(name, text)));
}

/** Registers every listener on `app`; returns the work they leave running after acknowledging. */
export function registerListeners(app: App, deps: SlackDeps): PendingWork {
  const pending = pendingWork();
  const afterAck = (what: string, work: () => Promise<void>, tell?: RespondFn) =>
    pending.track(run(deps, what, work, tell));
  app.command(SLASH_COMMAND, async ({ ack, body, respond, client }) => {
    await ack();
    await afterAck(
      'slash command',
      async () => {
        const command = SlashCommandSchema.parse(body);
        const turn = await loadSlackTurn(deps, {
          teamId: command.team_id,
          deliveryId: `c${command.trigger_id}`,
          channelId: command.channel_id,
          userId: command.user_id,
        });
        const openForm = () => openProposeForm(deps, client, command.trigger_id, turn);
        const line = decodeSlackText(command.text).trim();
        await runCommand(deps, turn, replier(client, turn, respond), line, openForm);
      },
      respond,
    );
  });

  app.action({ type: 'block_actions' }, async ({ ack, body, respond, client }) => {
    await ack();
    await afterAck('button', async () => {
      const press = BlockActionSchema.parse(body);
      const [pressed] = press.actions;
      const channelId = press.channel?.id;
      const teamId = press.team?.id ?? press.user.team_id;
      if (!pressed || !channelId || !teamId) return;
      const input = {
        teamId,
        deliveryId: `a${pressed.action_ts}-${press.user.id}`,
        channelId,
        userId: press.user.id,
        threadTs: press.container.thread_ts,
      };
      const parsed = parseActionData(pressed.value);
      const action = parsed && pressed.action_id === pressed.value ? parsed : undefined;
      // A vote button in a channel is cast first; its batch reads the channel's context along.
      const keys = slackTurnKeys(input);
      const cast = action && (await castAhead(deps, keys, action));
      const turn = cast?.chat ? slackTurnIn(keys, cast.chat) : await loadSlackTurn(deps, input);
      const to = replier(client, turn, respond);
      if (!action) {
        // Forged, or of a format no longer made: nothing is changed, and said so privately.
        await to.privately(renderReply(turn.locale, invalidActionLines()));
        return;
      }
      const reply = await handle(deps, turn, { kind: 'action', action, cast: cast?.outcome });
      await deliver(deps, turn, to, reply);
    });
  });

  app.view(PROPOSE_CALLBACK_ID, async ({ ack, body, client }) => {
    const read = readProposeSubmission(body.view);
    if (read.kind === 'field_errors') {
      await ack({ response_action: 'errors', errors: read.errors });
      return;
    }
    await ack();
    await afterAck('propose form', async () => {
      const submission = ViewSubmissionSchema.parse(body);
      if (read.kind === 'malformed') {
        deps.log.warn({ viewId: submission.view.id }, 'slack form submission not understood');
        return;
      }
      const { origin, title, body: text, category } = read;
      const teamId = submission.team?.id ?? 'T';
      const turn = await loadSlackTurn(deps, {
        teamId,
        deliveryId: `v${submission.view.id}`,
        channelId: origin.channelId,
        userId: submission.user.id,
        threadTs: origin.threadTs,
      });
      const command = { name: 'propose' as const, title, body: text, category };
      const reply = await handle(deps, turn, { kind: 'command', command });
      await deliver(deps, turn, replier(client, turn), reply);
    });
  });

  app.event('member_joined_channel', async ({ event, body, context }) => {
    await afterAck('membership event', async () => {
      const member = MemberEventSchema.parse(event);
      if (member.user !== context.botUserId) return;
      await botMembership(deps, body, member.channel, { kind: 'member' });
    });
  });

  app.event('member_left_channel', async ({ event, body, context }) => {
    await afterAck('membership event', async () => {
      const member = MemberEventSchema.parse(event);
      if (member.user !== context.botUserId) return;
      const reason = 'bot left the channel (member_left_channel)';
      await botMembership(deps, body, member.channel, { kind: 'removed', reason });
    });
  });

  // A DM to the bot is a command without the slash: `vote 3 for` (or `/yishi vote 3 for`).
  app.event('message', async ({ event, body, client }) => {
    const posted = ChannelMessageSchema.safeParse(event);
    if (posted.success) {
      // Counted for hot topics when the channel is opted in: the sink returns at once and keeps
      // only terms; a retried event has the same event_id, so it counts once.
      const envelope = EventEnvelopeSchema.safeParse(body);
      if (envelope.success) {
        deps.countMessage?.({
          platform: 'slack',
          chatId: posted.data.channel,
          userId: posted.data.user,
          deliveryKey: `sl-${envelope.data.event_id}`,
          text: decodeSlackText(posted.data.text),
        });
      }
      return;
    }
    const dm = DirectMessageSchema.safeParse(event);
    if (!dm.success) return;
    await afterAck('direct message', async () => {
      const envelope = EventEnvelopeSchema.parse(body);
      const turn = await loadSlackTurn(deps, {
        teamId: envelope.team_id,
        deliveryId: `e${envelope.event_id}`,
        channelId: dm.data.channel,
        userId: dm.data.user,
        threadTs: dm.data.thread_ts,
      });
      const line = decodeSlackText(dm.data.text)
        .trim()
        .replace(/^\/?yishi\s+/i, '')
        .replace(/^\//, '');
      await runCommand(deps, turn, replier(client, turn), line);
    });
  });

  return pending;
}

/** Opens the propose form; false when Slack refused (the trigger expired): a usage line follows. */
async function openProposeForm(
  deps: SlackDeps,
  client: WebClient,
  triggerId: string,
  turn: ChatTurn,
): Promise<boolean> {
  const origin = {
    channelId: turn.chatId,
    locale: turn.locale,
    ...(turn.thread ? { threadTs: turn.thread } : {}),
  };
  try {
    await client.views.open({ trigger_id: triggerId, view: proposeModal(origin) });
    return true;
  } catch (error) {
    deps.log.info({ err: error }, 'slack propose form not opened');
    return false;
  }
}

/** The bot joined or left a channel: the delivery problem is recorded or cleared (src/app). */
async function botMembership(
  deps: SlackDeps,
  body: unknown,
  channel: string,
  membership: Parameters<typeof recordBotMembership>[1]['membership'],
): Promise<void> {
  const envelope = EventEnvelopeSchema.parse(body);
  const outcome = await recordBotMembership(
    { clock: deps.core.clock, chats: deps.chats },
    {
      target: { platform: 'slack', chatId: channel },
      membership,
      eventKey: `sl-${envelope.team_id}-e${envelope.event_id}`,
    },
  );
  deps.log.info(
    { channel, membership: membership.kind, outcome: outcome.kind },
    'slack bot membership changed',
  );
}
