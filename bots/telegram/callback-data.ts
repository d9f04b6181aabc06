/**
 * Inline button payloads: Telegram's `callback_data` is the shared action
 * payload (src/chat/action-data.ts), which fits Telegram's 64 bytes.
 */
export {
  ACTION_DATA_MAX_BYTES as CALLBACK_DATA_MAX_BYTES,
  encodeActionData as encodeCallbackData,
  parseActionData as parseCallbackData,
} from '../../src/chat/action-data.ts';
