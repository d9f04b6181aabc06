/**
 * The key of one notice push to one chat: the notice's key (a deadline's job
 * id, an outbox row id) plus the target, so each chat gets a notice once (the
 * push queue records it in NoticeSent as it goes out). A target that is not
 * plain `[A-Za-z0-9_-]`, or too long for the push contract's 160 characters,
 * is replaced by its hash.
 */
import { createHash } from 'node:crypto';

export function noticePushKey(noticeKey: string, platform: string, chatId: string): string {
  const target = `${platform}-${chatId}`;
  const key = `${noticeKey}-${target}`;
  if (key.length <= 160 && /^[A-Za-z0-9_-]+$/.test(target)) return key;
  return `${noticeKey}-h${createHash('sha256').update(target).digest('hex').slice(0, 32)}`;
}
