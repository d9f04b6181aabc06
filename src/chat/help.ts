/**
 * `/help`: the commands this person may use here, read from the core's
 * permission table (src/app/permissions.ts), so it never offers a command
 * the use case would refuse for want of a role.
 */

import type { CoreDeps } from '../app/core.ts';
import { linkedActor } from '../app/find-actor.ts';
import { PERMISSIONS, permits, type UseCaseName } from '../app/permissions.ts';
import { chatCommunity } from '../app/ports/chat.ts';
import type { MessageLine } from '../app/ports/delivery.ts';
import type { Actor } from '../app/ports/store.ts';
import type { CommandName } from './commands.ts';
import { COMMAND_NAMES } from './commands.ts';
import { severalCommunitiesLines } from './context.ts';
import type { ChatTurn } from './turn.ts';

/** The use case each command starts; `help` needs nothing. */
const USE_CASE_OF: Readonly<Record<CommandName, UseCaseName | null>> = {
  join: 'joinHousehold',
  propose: 'propose',
  cosign: 'cosign',
  vote: 'castVote',
  relay: 'relayVote',
  schedule: 'scheduleVote',
  assign: 'assignResolution',
  progress: 'reportProgress',
  done: 'completeResolution',
  survey: 'answerSurvey',
  withdraw: 'withdrawProposal',
  status: 'showStatus',
  points: 'ownPoints',
  lang: 'setChatLocale',
  topics: 'hotTopics',
  help: null,
};

/** Whether `actor` (undefined: not linked) may use `command`; the use case checks again on use. */
export function mayUse(command: CommandName, actor: Actor | undefined): boolean {
  const useCase = USE_CASE_OF[command];
  return useCase === null || permits(actor, PERMISSIONS[useCase]);
}

/** The `/help` lines for the person of `turn`. */
export async function helpLines(
  deps: { core: Pick<CoreDeps, 'store'> },
  turn: ChatTurn,
): Promise<MessageLine[]> {
  const community = chatCommunity(turn.chat);
  const actor =
    community.kind === 'community'
      ? await linkedActor(deps.core, { actor: turn.actor })
      : undefined;
  const lines: MessageLine[] = [{ key: 'help.heading', params: {} }];
  for (const command of COMMAND_NAMES) {
    if (mayUse(command, actor)) lines.push({ key: `help.${command}`, params: {} });
  }
  if (community.kind === 'several') {
    lines.push(...severalCommunitiesLines(community.names, turn.locale));
  }
  return lines;
}
