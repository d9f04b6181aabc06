import { type Logger, type LoggerOptions, pino } from 'pino';
import pretty from 'pino-pretty';
import type { Config } from '../config.ts';

export type { Logger };

/** pino's numeric level of `warn`: lines at or above it may be a dependency's outage. */
const WARN = 40;

/**
 * Structured JSON logs on stdout (pino: fast, and the format log shippers expect),
 * or coloured lines (pino-pretty) when stdout is a terminal.
 * `absorb` sees the error of every warning or error line (its `err` or `error`
 * field) first: when it takes it (a lost database or Redis connection, reported
 * once per outage by dependency-health.ts), the line is not written, so an
 * outage is not a stack trace per webhook and job.
 */
export function createLogger(
  level: Config['logLevel'],
  options: {
    absorb?: (error: unknown) => boolean;
    /** Human-readable lines; default: when stdout is a terminal. */
    pretty?: boolean;
  } = {},
): Logger {
  const absorb = options.absorb;
  const settings: LoggerOptions = {
    level,
    base: { service: 'yishi' },
    hooks: absorb
      ? {
          logMethod(args, method, lineLevel) {
            const [fields] = args as unknown[];
            if (lineLevel >= WARN && typeof fields === 'object' && fields !== null) {
              const { err, error } = fields as { err?: unknown; error?: unknown };
              const cause = err ?? error;
              if (cause !== undefined && absorb(cause)) {
                // Kept for LOG_LEVEL=debug, without the stack trace.
                const message = typeof args[1] === 'string' ? args[1] : 'failed';
                this.debug({ dependencyError: String(cause).slice(0, 300) }, message);
                return;
              }
            }
            method.apply(this, args);
          },
        }
      : {},
  };
  // A person at a terminal reads lines; anything else (a log shipper, a file) gets JSON.
  return (options.pretty ?? process.stdout.isTTY)
    ? pino(settings, pretty({ colorize: true, sync: true, translateTime: 'SYS:standard' }))
    : pino(settings);
}
