/**
 * The one entry of the conversation, the counterpart of grammY's
 * `handleUpdate` and Bolt's `processEvent`: a platform passes the turn and
 * a parsed command or a button's action, and renders the reply plan it gets
 * back. The use cases are idempotent by `turn.idempotencyKey`; sending the
 * reply once is the platform's part.
 */
import { answerSurvey } from '../app/answer-survey.ts';
import { assignResolution } from '../app/assign-resolution.ts';
import type { ChatCast } from '../app/ballot-batcher.ts';
import { type CastVoteOutcome, castVote } from '../app/cast-vote.ts';
import type { VoteInput } from '../app/cast-votes.ts';
import { completeResolution } from '../app/complete-resolution.ts';
import { cosign } from '../app/cosign.ts';
import { joinHousehold } from '../app/join-household.ts';
import { ownPoints } from '../app/points.ts';
import { chatCommunity } from '../app/ports/chat.ts';
import type { ButtonAction } from '../app/ports/delivery.ts';
import { propose } from '../app/propose.ts';
import { relayVote } from '../app/relay-vote.ts';
import { reportProgress } from '../app/report-progress.ts';
import { scheduleVote } from '../app/schedule-vote.ts';
import { setChatLocale } from '../app/set-chat-locale.ts';
import { showProposal } from '../app/show-proposal.ts';
import { openStatus } from '../app/status.ts';
import { withdrawProposal } from '../app/withdraw-proposal.ts';
import { type ChatCommand, type CommandName, invalidLines } from './commands.ts';
import { communityUnknownLines, replyContext } from './context.ts';
import { helpLines } from './help.ts';
import { pointsLines } from './points.ts';
import {
  assignLines,
  cosignLines,
  doneLines,
  joinLines,
  progressLines,
  proposeLines,
  refusalLines,
  relayLines,
  scheduleLines,
  surveyLines,
  voteLines,
  withdrawLines,
} from './replies.ts';
import { type ActionAnswer, type ChatReply, say } from './reply-plan.ts';
import { openLines } from './status.ts';
import { topicDraftReply, topicsReply } from './topics.ts';
import type { ChatDeps, ChatInput, ChatTurn } from './turn.ts';

/**
 * Commands that act in a community: refused first when a private chat
 * cannot tell which (the account is linked in several).
 */
const IN_COMMUNITY: ReadonlySet<CommandName> = new Set<CommandName>([
  'propose',
  'cosign',
  'schedule',
  'vote',
  'relay',
  'assign',
  'progress',
  'done',
  'survey',
  'withdraw',
  'status',
  'points',
  'topics',
]);

/** Commands whose text is a ballot: their replies go with the command message removed. */
const SECRET_ARGUMENTS: ReadonlySet<CommandName> = new Set<CommandName>(['vote', 'relay']);

/** Handles one command or button press and says what to answer. */
export async function handle(deps: ChatDeps, turn: ChatTurn, input: ChatInput): Promise<ChatReply> {
  switch (input.kind) {
    case 'action':
      // A hot-list button answers with a draft message, not a notice to the presser.
      if (input.action.kind === 'topic') {
        const refused = communityUnknownLines(turn);
        if (refused) return { kind: 'answer', locale: turn.locale, lines: refused, alert: true };
        return topicDraftReply(deps, turn, input.action.termId);
      }
      return handleAction(deps, turn, input.action, input.cast);
    case 'unknown':
      return say(turn.locale, [{ key: 'error.unknown_command', params: { command: input.name } }]);
    case 'invalid':
    case 'command': {
      const name = input.kind === 'command' ? input.command.name : input.name;
      const refused = IN_COMMUNITY.has(name) ? communityUnknownLines(turn) : undefined;
      if (refused) return say(turn.locale, refused);
      if (name === 'status' && chatCommunity(turn.chat).kind !== 'community') {
        return say(turn.locale, [
          { key: turn.isPrivate ? 'refusal.not_joined' : 'refusal.chat_not_bound', params: {} },
        ]);
      }
      if (input.kind === 'command') return handleCommand(deps, turn, input.command);
      const { problem } = input;
      return say(turn.locale, invalidLines(name, problem, turn.locale, turn.commandPrefix), {
        deleteCommand: SECRET_ARGUMENTS.has(name) && problem.field !== 'number',
      });
    }
  }
}

/** A ballot, through the group commit when the gateway has one. */
const vote = (deps: ChatDeps, input: VoteInput) =>
  deps.ballots ? deps.ballots.cast(input) : castVote(deps.core, input);

/**
 * A vote button pressed in a group is cast before the turn's context is
 * read: the ballot's own transaction finds the community by the chat's
 * binding, and its claim reads the group's context along (the batch's one
 * statement for every press in it), which only words the answer. The
 * platform then reads the context only when the cast did not bring it (a
 * ballot that ran alone), and passes the outcome on as the input's `cast`.
 * Tally bench: the context reads were a statement per event-loop turn (2,032
 * for 33,019 presses); without them, in alternating runs, the gateway used
 * 7.8-8.2 s of CPU against 8.8-9.8 s, PostgreSQL 3.5 s against 4.2-5.0 s. In
 * a private chat the context comes first: it refuses an account linked in
 * several communities.
 */
export function castAhead(
  deps: ChatDeps,
  turn: Pick<ChatTurn, 'actor' | 'idempotencyKey' | 'isPrivate'>,
  action: ButtonAction,
): Promise<ChatCast> | undefined {
  if (turn.isPrivate || action.kind !== 'vote') return undefined;
  const { actor, idempotencyKey } = turn;
  const input = { actor, idempotencyKey, number: action.number, choice: action.choice };
  if (deps.ballots) return deps.ballots.castFromChat(input);
  return castVote(deps.core, input).then((outcome) => ({ outcome, chat: undefined }));
}

async function handleCommand(
  deps: ChatDeps,
  turn: ChatTurn,
  command: ChatCommand,
): Promise<ChatReply> {
  const by = { actor: turn.actor, idempotencyKey: turn.idempotencyKey };
  const c = replyContext(turn, command.name);
  switch (command.name) {
    case 'join': {
      const outcome = await joinHousehold(deps.joinCodes, {
        platform: turn.platform,
        userId: turn.userId,
        code: command.code,
      });
      // A code typed in a group is visible to all: removed where the platform can.
      return say(turn.locale, joinLines(outcome), { deleteCommand: true });
    }
    case 'propose': {
      const { title, body, category } = command;
      const outcome = await propose(deps.core, { ...by, title, body, category });
      // In a bound chat the card itself is the answer (the workers post it); saying it twice is noise.
      if (outcome.kind === 'proposed' && turn.chat.binding) return { kind: 'none' };
      return say(turn.locale, proposeLines(outcome, c));
    }
    case 'cosign': {
      const outcome = await cosign(deps.core, { ...by, number: command.number });
      return say(turn.locale, cosignLines(outcome, c, command.number));
    }
    case 'schedule': {
      const { number, opensAt } = command;
      const outcome = await scheduleVote(deps.core, { ...by, number, opensAt });
      return say(turn.locale, scheduleLines(outcome, c, number));
    }
    case 'vote': {
      const { number, choice } = command;
      const outcome = await vote(deps, { ...by, number, choice });
      const { lines, reveals } = voteLines(outcome, c, number);
      return say(turn.locale, lines, {
        deleteCommand: true,
        privately: reveals
          ? { fallback: [{ key: 'vote.private_fallback', params: { number } }] }
          : undefined,
      });
    }
    case 'relay': {
      const { number, unit, choice, paperRef } = command;
      const outcome = await relayVote(deps.core, { ...by, number, unit, choice, paperRef });
      const { lines, reveals } = relayLines(outcome, c, { number, unit, paperRef });
      return say(turn.locale, lines, {
        deleteCommand: true,
        privately: reveals
          ? { fallback: [{ key: 'relay.private_fallback', params: { number, unit } }] }
          : undefined,
      });
    }
    case 'assign': {
      const { number, lead, due, coop } = command;
      const outcome = await assignResolution(deps.core, { ...by, number, lead, due, coop });
      return say(turn.locale, assignLines(outcome, c, number));
    }
    case 'progress': {
      const { number, percent, note } = command;
      const outcome = await reportProgress(deps.core, { ...by, number, percent, note });
      return say(turn.locale, progressLines(outcome, c, number));
    }
    case 'done': {
      const { number, note } = command;
      const outcome = await completeResolution(deps.core, { ...by, number, note });
      return say(turn.locale, doneLines(outcome, c, number));
    }
    case 'survey': {
      const { number, answer } = command;
      const outcome = await answerSurvey(deps.core, { ...by, number, answer });
      return say(turn.locale, surveyLines(outcome, c, number));
    }
    case 'withdraw': {
      const outcome = await withdrawProposal(deps.core, { ...by, number: command.number });
      return say(turn.locale, withdrawLines(outcome, c, command.number));
    }
    case 'status':
      return status(deps, turn, command.number);
    case 'points': {
      const outcome = await ownPoints({ store: deps.core.store, status: deps.status }, by);
      if (outcome.kind !== 'points') return say(turn.locale, refusalLines(outcome, c));
      return say(turn.locale, pointsLines(outcome.view, c.locale, c.timezone));
    }
    case 'lang': {
      const outcome = await setChatLocale(deps, {
        platform: turn.platform,
        chatId: turn.chatId,
        text: command.text,
      });
      if (outcome.kind === 'locale_unknown') {
        return say(turn.locale, [{ key: 'refusal.invalid.locale', params: {} }]);
      }
      // The confirmation is already in the new language.
      return say(outcome.locale, [{ key: 'lang.set', params: {} }]);
    }
    case 'topics':
      return topicsReply(deps, turn, command.setting);
    case 'help':
      return say(turn.locale, await helpLines(deps, turn));
  }
}

/** `/status [N]`: one proposal or resolution as its card, or the open list. */
async function status(
  deps: ChatDeps,
  turn: ChatTurn,
  number: number | undefined,
): Promise<ChatReply> {
  const community = chatCommunity(turn.chat);
  // handle() answered a chat without one community already.
  if (community.kind !== 'community') return { kind: 'none' };
  const { communityId } = community;
  const now = deps.core.clock.now();
  if (number !== undefined) {
    const shown = await showProposal(
      deps.status,
      { communityId, number, locale: turn.locale, now },
      deps.boardLinks,
    );
    if (shown.kind !== 'card') {
      return say(turn.locale, [{ key: `status.${shown.kind}`, params: { number } }]);
    }
    return { kind: 'card', message: shown.message };
  }
  const open = await openStatus(deps.status, { communityId, now });
  return say(
    turn.locale,
    open.kind === 'open'
      ? openLines(open.items, turn.locale, community.timezone)
      : [{ key: 'status.community_unknown', params: {} }],
  );
}

/** A button press: the typed command's twin, answered to the presser only. */
async function handleAction(
  deps: ChatDeps,
  turn: ChatTurn,
  action: Exclude<ButtonAction, { kind: 'topic' }>,
  cast: CastVoteOutcome | undefined,
): Promise<ActionAnswer> {
  const answer = (lines: ActionAnswer['lines'], alert: boolean): ActionAnswer => ({
    kind: 'answer',
    locale: turn.locale,
    lines,
    alert,
  });
  const refused = communityUnknownLines(turn);
  if (refused) return answer(refused, true);
  const by = { actor: turn.actor, idempotencyKey: turn.idempotencyKey };
  const { number } = action;
  switch (action.kind) {
    case 'cosign': {
      const outcome = await cosign(deps.core, { ...by, number });
      const lines = cosignLines(outcome, replyContext(turn, 'cosign'), number);
      return answer(lines, outcome.kind !== 'cosigned' && outcome.kind !== 'already_cosigned');
    }
    case 'vote': {
      const outcome = cast ?? (await vote(deps, { ...by, number, choice: action.choice }));
      const { lines } = voteLines(outcome, replyContext(turn, 'vote'), number);
      return answer(lines, outcome.kind !== 'recorded' && outcome.kind !== 'already_recorded');
    }
    case 'survey': {
      const outcome = await answerSurvey(deps.core, { ...by, number, answer: action.answer });
      const lines = surveyLines(outcome, replyContext(turn, 'survey'), number);
      return answer(lines, outcome.kind !== 'answered');
    }
  }
}
