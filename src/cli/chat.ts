/**
 * `yishi chat bind` and `yishi chat list`: which chats a community's cards go
 * to (optionally one forum topic), and whether the platform still lets the
 * bot post there. Exit 1 for an unknown community, building or topic.
 */
import { type Command, Option } from 'commander';
import { bindChat } from '../app/bind-chat.ts';
import { rosterDeps } from '../runtime/roster-deps.ts';
import type { Database } from '../store/database.ts';

type WithDatabase = <T>(work: (db: Database) => Promise<T>) => Promise<T>;

const print = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function refuse(message: string): void {
  process.stderr.write(`${message}\n`);
  process.exitCode = 1;
}

export function registerChatCommands(program: Command, withDatabase: WithDatabase): void {
  const chat = program.command('chat').description('group chats');
  chat
    .command('bind')
    .description('bind a Telegram group or Slack channel to the community (and a building)')
    .requiredOption('--community <id>', 'community id')
    .addOption(
      new Option('--platform <platform>', 'chat platform')
        .choices(['telegram', 'slack'])
        .makeOptionMandatory(),
    )
    .requiredOption('--chat <id>', 'Telegram chat id or Slack channel id')
    .option('--building <name>', 'building this chat belongs to')
    .option(
      '--topic <thread_id>',
      'forum topic the cards go to (Telegram message_thread_id); without it, the main thread',
    )
    .action(
      async (opts: {
        community: string;
        platform: 'telegram' | 'slack';
        chat: string;
        building?: string;
        topic?: string;
      }) => {
        await withDatabase(async (db) => {
          const outcome = await bindChat(rosterDeps(db), {
            communityId: opts.community,
            platform: opts.platform,
            chatId: opts.chat,
            building: opts.building,
            topic: opts.topic,
          });
          switch (outcome.kind) {
            case 'community_unknown':
              return refuse(`no community with id ${outcome.communityId}`);
            case 'building_unknown':
              return refuse(
                `no building "${outcome.building}" in the roster (import the roster first)`,
              );
            case 'topic_invalid':
              return refuse(
                `--topic ${outcome.topic} is not a topic id: give the topic's message_thread_id, a positive number`,
              );
            case 'bound':
              print(
                `bound ${opts.platform} chat ${opts.chat}${opts.building ? ` to building ${opts.building}` : ''}${opts.topic ? `, cards in topic ${opts.topic}` : ''}`,
              );
          }
        });
      },
    );

  chat
    .command('list')
    .description('the bound chats: platform, chat id, building, language, topic, reachable')
    .requiredOption('--community <id>', 'community id')
    .option('--json', 'print JSON')
    .action(async (opts: { community: string; json?: boolean }) => {
      await withDatabase(async (db) => {
        const deps = rosterDeps(db);
        if (!(await deps.communities.get(opts.community))) {
          return refuse(`no community with id ${opts.community}`);
        }
        const chats = await deps.chatBindings.list(opts.community);
        if (opts.json) {
          print(
            JSON.stringify(
              chats.map((c) => ({
                ...c,
                problem: c.problem && { reason: c.problem.reason, at: c.problem.at.toISOString() },
              })),
            ),
          );
          return;
        }
        if (chats.length === 0) {
          print(
            'no chats bound: bind one with yishi chat bind --community ID --platform telegram --chat CHAT_ID',
          );
          return;
        }
        print('platform\tchat\tbuilding\tlocale\ttopic\treachable');
        for (const c of chats) {
          const reachable = c.problem
            ? `no (${c.problem.reason}, since ${c.problem.at.toISOString()})`
            : 'yes';
          print(
            [
              c.platform,
              c.chatId,
              c.building ?? '-',
              c.locale ?? '-',
              c.topic ?? '-',
              reachable,
            ].join('\t'),
          );
        }
      });
    });
}
