/**
 * The push queue: every outbound message to a chat goes through it.
 * `createPushQueue` is the producer (use cases' outbox relay, deadline
 * workers), `startPushWorker` the processor; any number of each, in any
 * number of processes, share the platforms' rate limits through Redis.
 */

export type { PushOptions } from '../../src/app/ports/queue.ts';
export { cardJobId, DEFAULT_COALESCE_MS, noticeJobId, PUSH_QUEUE } from './job-ids.ts';
export { DEFAULT_PUSH_LIMITS, type Limit, type PushLimits } from './limits.ts';
export type { CardPush, NoticePush, PushRequest } from './push-request.ts';
export { createPushQueue, type PushQueue, type PushQueueOptions } from './queue.ts';
export { type PushEvent, type PushWorkerOptions, startPushWorker } from './worker.ts';
