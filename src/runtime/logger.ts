import { type Logger, pino } from 'pino';
import type { Config } from '../config.ts';

export type { Logger };

/** Structured JSON logs on stdout (pino: fast, and the format log shippers expect). */
export function createLogger(level: Config['logLevel']): Logger {
  return pino({ level, base: { service: 'yishi' } });
}
