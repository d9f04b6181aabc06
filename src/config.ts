/**
 * Environment -> typed configuration (design.md section 4). Every variable is
 * validated here once, at start; a bad value becomes one line that names the
 * variable and what it expects.
 */
import { z } from 'zod';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const url = (protocols: readonly string[], example: string) =>
  z
    .string()
    .trim()
    .refine((value) => {
      try {
        return protocols.includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, `expected a URL such as ${example}`);

const EnvSchema = z.object({
  DATABASE_URL: url(
    ['postgresql:', 'postgres:'],
    'postgresql://user@host:5432/db (or leave it unset for the embedded database)',
  ).optional(),
  YISHI_DATA_DIR: z.string().trim().min(1).default('.yishi'),
  YISHI_DB_STATEMENT_TIMEOUT_MS: z.coerce
    .number({ error: 'expected milliseconds' })
    .int('expected whole milliseconds')
    .min(1, 'expected milliseconds above 0')
    .default(30_000),
  YISHI_DB_IDLE_TRANSACTION_TIMEOUT_MS: z.coerce
    .number({ error: 'expected milliseconds' })
    .int('expected whole milliseconds')
    .min(1, 'expected milliseconds above 0')
    .default(30_000),
  YISHI_AUTO_MIGRATE: z.enum(['0', '1'], { error: 'expected 0 or 1' }).default('1'),
  REDIS_URL: url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379').default('redis://127.0.0.1:6379'),
  PORT: z.coerce
    .number({ error: 'expected a port number' })
    .int('expected a whole port number')
    .min(0, 'expected a port between 0 and 65535')
    .max(65535, 'expected a port between 0 and 65535')
    .default(3000),
  PUBLIC_URL: url(['https:', 'http:'], 'https://yishi.example.org').optional(),
  TELEGRAM_BOT_TOKEN: optionalText,
  TELEGRAM_WEBHOOK_SECRET: optionalText.refine(
    (v) => v === undefined || /^[A-Za-z0-9_-]{1,256}$/.test(v),
    'expected 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram secret_token rules)',
  ),
  TELEGRAM_API_ROOT: url(['https:', 'http:'], 'https://api.telegram.org').default(
    'https://api.telegram.org',
  ),
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_API_URL: url(['https:', 'http:'], 'https://slack.com/api/').default(
    'https://slack.com/api/',
  ),
  SLACK_APP_TOKEN: optionalText.refine(
    (v) => v === undefined || v.startsWith('xapp-'),
    'expected an app-level token starting with xapp- (Slack app > Basic Information > App-Level Tokens)',
  ),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'expected one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
});

export type Config = {
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };
  /** Bounds on the application's database connections (not the migration connection). */
  databaseTimeouts: { statementMs: number; idleInTransactionMs: number };
  autoMigrate: boolean;
  redisUrl: string;
  port: number;
  publicUrl: string | undefined;
  telegram: { token: string; webhookSecret: string | undefined; apiRoot: string } | undefined;
  slack:
    | {
        token: string;
        signingSecret: string;
        apiUrl: string;
        /** Socket Mode for development, used when PUBLIC_URL is unset. */
        appToken: string | undefined;
      }
    | undefined;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
};

/** A configuration problem a person can fix; `message` is the one line to print. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses the environment. Throws `ConfigError` naming the first bad variable.
 * Empty strings count as unset, as shells and .env files often leave them.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`${name}: ${issue?.message ?? 'invalid value'}`);
  }
  const e = parsed.data;
  // grammY's webhook accepts every request when no secret is set: refuse rather than run open.
  if (e.TELEGRAM_BOT_TOKEN && e.PUBLIC_URL && !e.TELEGRAM_WEBHOOK_SECRET) {
    throw new ConfigError(
      'TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_BOT_TOKEN and PUBLIC_URL are set (webhook mode); choose 1-256 characters of A-Z, a-z, 0-9, _ and -',
    );
  }
  if (e.SLACK_BOT_TOKEN && !e.SLACK_SIGNING_SECRET) {
    throw new ConfigError(
      'SLACK_SIGNING_SECRET: required when SLACK_BOT_TOKEN is set (Slack app > Basic Information > Signing Secret)',
    );
  }
  return {
    database: e.DATABASE_URL
      ? { kind: 'postgres', url: e.DATABASE_URL }
      : { kind: 'pglite', dataDir: `${e.YISHI_DATA_DIR}/pglite` },
    databaseTimeouts: {
      statementMs: e.YISHI_DB_STATEMENT_TIMEOUT_MS,
      idleInTransactionMs: e.YISHI_DB_IDLE_TRANSACTION_TIMEOUT_MS,
    },
    autoMigrate: e.YISHI_AUTO_MIGRATE === '1',
    redisUrl: e.REDIS_URL,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL,
    telegram: e.TELEGRAM_BOT_TOKEN
      ? {
          token: e.TELEGRAM_BOT_TOKEN,
          webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
          apiRoot: e.TELEGRAM_API_ROOT,
        }
      : undefined,
    slack:
      e.SLACK_BOT_TOKEN && e.SLACK_SIGNING_SECRET
        ? {
            token: e.SLACK_BOT_TOKEN,
            signingSecret: e.SLACK_SIGNING_SECRET,
            apiUrl: e.SLACK_API_URL,
            appToken: e.SLACK_APP_TOKEN,
          }
        : undefined,
    logLevel: e.LOG_LEVEL,
  };
}
