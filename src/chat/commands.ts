/**
 * The chat command contract (design.md section 3) parsed once for every
 * platform. A platform hands over the command's name and the text after it:
 * Telegram `/vote 3 for` and Slack `/yishi vote 3 for` both give `vote` and
 * `3 for`. The result is a typed command, arguments that do not fit (worded
 * by {@link invalidLines}), or a name the contract does not have.
 */
import type { MessageLine } from '../app/ports/delivery.ts';
import type { Choice } from '../app/ports/store.ts';
import { HELP_COMMANDS, type HelpCommand, type Locale } from '../i18n/translate.ts';
import {
  ChoiceArg,
  NumberArg,
  PercentArg,
  parseAssignment,
  parseProposal,
  SurveyAnswerArg,
  splitFirst,
  words,
} from './args.ts';
import { usageOf } from './replies.ts';

/** The commands of the contract, in the order `/help` lists them. */
export const COMMAND_NAMES: readonly HelpCommand[] = HELP_COMMANDS;

export type CommandName = HelpCommand;

/** Commands that concern the chat alone and may be used before it is bound to a community. */
export const UNBOUND_COMMANDS: ReadonlySet<string> = new Set<CommandName>(['lang']);

/** Other names people type for a command (Telegram opens a private chat with `/start`). */
const ALIASES: Readonly<Record<string, CommandName>> = { start: 'help' };

export type SurveyAnswer = 'yes' | 'no' | 1 | 2 | 3 | 4 | 5;

export type ChatCommand =
  | { name: 'join'; code: string }
  | { name: 'propose'; title: string; body: string; category: string | undefined }
  | { name: 'cosign'; number: number }
  | { name: 'schedule'; number: number; opensAt: string }
  | { name: 'vote'; number: number; choice: Choice }
  | { name: 'relay'; number: number; unit: string; choice: Choice; paperRef: string }
  | { name: 'assign'; number: number; lead: string; due: string; coop: string[] }
  | { name: 'progress'; number: number; percent: number; note: string }
  | { name: 'done'; number: number; note: string }
  | { name: 'survey'; number: number; answer: SurveyAnswer }
  | { name: 'withdraw'; number: number }
  | { name: 'status'; number: number | undefined }
  | { name: 'points' }
  | { name: 'lang'; text: string }
  /** `on`/`off` opts this chat in or out of hot-topic counting; none shows the hot list. */
  | { name: 'topics'; setting: 'on' | 'off' | undefined }
  | { name: 'help' };

/**
 * What does not fit, so the reply can say how to write it: `number` (the
 * proposal number is missing or malformed), `usage` (the command's syntax),
 * or one argument after a valid number.
 */
export type ArgumentProblem =
  | { field: 'number' }
  | { field: 'usage' }
  | { field: 'choice' | 'percent' | 'answer'; number: number };

/** A parsed command line. */
export type ParsedCommand =
  | { kind: 'command'; command: ChatCommand }
  | { kind: 'invalid'; name: CommandName; problem: ArgumentProblem }
  | { kind: 'unknown'; name: string };

/** The contract's name for `name` (case-insensitive, aliases resolved), or undefined. */
export function commandName(name: string): CommandName | undefined {
  const lower = name.toLowerCase();
  if ((COMMAND_NAMES as readonly string[]).includes(lower)) return lower as CommandName;
  return ALIASES[lower];
}

/**
 * `vote 3 for` (a whole line, as Slack's `/yishi` gets it) -> the command's
 * name and the text after it, which keeps its line breaks (a proposal's body).
 */
export function splitCommandLine(line: string): { name: string; text: string } {
  const [name, text] = splitFirst(line);
  return { name, text };
}

type Parsed<C extends ChatCommand['name']> =
  | Extract<ChatCommand, { name: C }>
  | { problem: ArgumentProblem };

function withNumber<C extends ChatCommand['name']>(
  word: string | undefined,
  rest: (number: number) => Parsed<C>,
): Parsed<C> {
  const number = NumberArg.safeParse(word ?? '');
  return number.success ? rest(number.data) : { problem: { field: 'number' } };
}

function parseArguments(
  name: CommandName,
  text: string,
): ChatCommand | { problem: ArgumentProblem } {
  switch (name) {
    case 'join':
      return { name, code: text };
    case 'propose':
      return { name, ...parseProposal(text) };
    case 'cosign':
    case 'withdraw':
      return withNumber(words(text)[0], (number) => ({ name, number }));
    case 'schedule': {
      const [numberWord, opensAt] = splitFirst(text);
      return withNumber(numberWord, (number) => ({
        name,
        number,
        opensAt: opensAt.replace(/\s+/g, ' '),
      }));
    }
    case 'vote': {
      const [numberWord, choiceWord] = words(text);
      return withNumber(numberWord, (number) => {
        const choice = ChoiceArg.safeParse(choiceWord ?? '');
        return choice.success
          ? { name, number, choice: choice.data }
          : { problem: { field: 'choice', number } };
      });
    }
    case 'relay': {
      const [numberWord, unit, choiceWord, ...refWords] = words(text);
      return withNumber(numberWord, (number) => {
        const choice = ChoiceArg.safeParse(choiceWord ?? '');
        if (unit === undefined || !choice.success) return { problem: { field: 'usage' } };
        return { name, number, unit, choice: choice.data, paperRef: refWords.join(' ') };
      });
    }
    case 'assign': {
      const [numberWord, rest] = splitFirst(text);
      return withNumber(numberWord, (number) => {
        const { lead, due, coop } = parseAssignment(rest);
        if (lead === undefined || due === undefined) return { problem: { field: 'usage' } };
        return { name, number, lead, due, coop };
      });
    }
    case 'progress': {
      const [numberWord, rest] = splitFirst(text);
      return withNumber(numberWord, (number) => {
        const [percentWord, note] = splitFirst(rest);
        const percent = PercentArg.safeParse(percentWord);
        return percent.success
          ? { name, number, percent: percent.data, note }
          : { problem: { field: 'percent', number } };
      });
    }
    case 'done': {
      const [numberWord, note] = splitFirst(text);
      return withNumber(numberWord, (number) => ({ name, number, note }));
    }
    case 'survey': {
      const [numberWord, answerWord] = words(text);
      return withNumber(numberWord, (number) => {
        const answer = SurveyAnswerArg.safeParse(answerWord ?? '');
        return answer.success
          ? { name, number, answer: answer.data }
          : { problem: { field: 'answer', number } };
      });
    }
    case 'status': {
      const [numberWord] = words(text);
      if (numberWord === undefined) return { name, number: undefined };
      return withNumber(numberWord, (number) => ({ name, number }));
    }
    case 'points':
    case 'help':
      return { name };
    case 'lang':
      return { name, text };
    case 'topics': {
      const [setting, ...rest] = words(text.toLowerCase());
      if (rest.length > 0) return { problem: { field: 'usage' } };
      if (setting === undefined) return { name, setting: undefined };
      return setting === 'on' || setting === 'off'
        ? { name, setting }
        : { problem: { field: 'usage' } };
    }
  }
}

/** Parses the text after a command's name (`3 for` of `/vote 3 for`). */
export function parseCommand(name: string, text: string): ParsedCommand {
  const known = commandName(name);
  if (known === undefined) return { kind: 'unknown', name };
  const parsed = parseArguments(known, text);
  return 'problem' in parsed
    ? { kind: 'invalid', name: known, problem: parsed.problem }
    : { kind: 'command', command: parsed };
}

/** How to write the command instead, in `locale`, with the platform's command prefix. */
export function invalidLines(
  name: CommandName,
  problem: ArgumentProblem,
  locale: Locale,
  commandPrefix: string,
): MessageLine[] {
  switch (problem.field) {
    case 'number':
      return [{ key: 'refusal.invalid.number', params: { command: name } }];
    case 'usage':
      return [
        {
          key: 'refusal.invalid.arguments',
          params: { usage: usageOf(name, locale, commandPrefix) },
        },
      ];
    case 'choice':
    case 'percent':
    case 'answer':
      return [{ key: `refusal.invalid.${problem.field}`, params: { number: problem.number } }];
  }
}
