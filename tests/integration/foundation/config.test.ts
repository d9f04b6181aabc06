import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.ts';

describe('configuration', () => {
  it('uses the embedded database and local Redis when nothing is set', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ kind: 'pglite', dataDir: '.yishi/pglite' });
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.port).toBe(3000);
  });

  it.each([
    [{ DATABASE_URL: 'nonsense' }, /^DATABASE_URL: expected a URL such as postgresql:/],
    [{ REDIS_URL: 'http://x' }, /^REDIS_URL: expected a URL such as redis:/],
    [{ PORT: 'abc' }, /^PORT: expected a port number/],
    [{ PORT: '70000' }, /^PORT: expected a port between 0 and 65535/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: expected one of/],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, /^SLACK_SIGNING_SECRET: required when SLACK_BOT_TOKEN is set/],
    [
      { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_APP_TOKEN: 'xoxb-2' },
      /^SLACK_APP_TOKEN: expected an app-level token starting with xapp-/,
    ],
    [
      { TELEGRAM_BOT_TOKEN: '1:abc', PUBLIC_URL: 'https://yishi.example.org' },
      /^TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_BOT_TOKEN and PUBLIC_URL are set/,
    ],
  ])('refuses %o naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('lets a token without a secret run by long polling when PUBLIC_URL is unset', () => {
    expect(loadConfig({ TELEGRAM_BOT_TOKEN: '1:abc' }).telegram?.webhookSecret).toBeUndefined();
  });

  it('reads the Slack variables: the API URL (a fake in tests) and the Socket Mode token', () => {
    const slack = loadConfig({
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 's',
      SLACK_API_URL: 'http://127.0.0.1:4000/api/',
      SLACK_APP_TOKEN: 'xapp-1',
    }).slack;
    expect(slack).toEqual({
      token: 'xoxb-1',
      signingSecret: 's',
      apiUrl: 'http://127.0.0.1:4000/api/',
      appToken: 'xapp-1',
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: ' ' }).database.kind).toBe('pglite');
  });
});
