/** Telegram updates as the Bot API posts them to a webhook: a vote button press. */
import { encodeCallbackData } from '../../bots/telegram/callback-data.ts';
import type { Choice } from '../../src/app/ports/store.ts';

export type VotePress = {
  updateId: number;
  userId: string;
  chatId: string;
  number: number;
  choice: Choice;
};

export function callbackUpdate(p: VotePress): string {
  const from = {
    id: Number(p.userId),
    is_bot: false,
    first_name: '居民',
    language_code: 'zh-hans',
  };
  return JSON.stringify({
    update_id: p.updateId,
    callback_query: {
      id: `${p.updateId}${p.userId.slice(-4)}`,
      from,
      message: {
        message_id: 100 + p.number,
        from: { id: 7_000_000_001, is_bot: true, first_name: 'yishi', username: 'yishi_bench_bot' },
        date: Math.floor(Date.now() / 1000) - 60,
        chat: { id: Number(p.chatId), type: 'supergroup', title: '幸福里 3 号楼' },
        text: `#${p.number}`,
      },
      chat_instance: `ci${p.chatId}`,
      data: encodeCallbackData({ kind: 'vote', number: p.number, choice: p.choice }),
    },
  });
}
