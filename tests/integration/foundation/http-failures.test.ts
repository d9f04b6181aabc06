/**
 * A page whose route fails (the database down while a resident opens the
 * board) answers a short message in both languages, never the error: outside
 * NODE_ENV=production express's default answer is the stack trace.
 */
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFailures, createHttpApp, listen } from '../../../src/runtime/http-server.ts';
import { createMetrics } from '../../../src/runtime/metrics.ts';

describe('a failed page', () => {
  let url = '';
  let close = async () => {};
  const logged: string[] = [];

  beforeAll(async () => {
    const app = createHttpApp({ health: async () => ({}), metrics: createMetrics() });
    app.get('/board/:key', async () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432 at Pool.connect (secret/path.js)');
    });
    app.get('/lost', async () => {
      throw new Error('read ECONNRESET');
    });
    app.get('/missing/:n', () => {
      throw Object.assign(new Error('no such page'), { status: 404 });
    });
    const log = pino({ level: 'error' }, { write: (line: string) => void logged.push(line) });
    // A lost connection is the dependency's outage, logged once elsewhere.
    answerFailures(app, { log, absorb: (error) => String(error).includes('ECONNRESET') });
    const server = await listen(app, 0);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  it('answers 500 with a short bilingual message, and logs the error', async () => {
    const res = await fetch(`${url}/board/abc`);
    const body = await res.text();
    expect(res.status).toBe(500);
    expect(body).toContain('请稍后再试');
    expect(body).toContain('try again later');
    expect(body).not.toMatch(/ECONNREFUSED|secret\/path|at .*\.(js|ts)/);
    expect(logged.join('\n')).toContain('ECONNREFUSED');
  });

  it('leaves a lost connection to the outage log', async () => {
    const before = logged.length;
    const res = await fetch(`${url}/lost`);
    expect(res.status).toBe(500);
    expect(await res.text()).toContain('try again later');
    expect(logged.length).toBe(before);
  });

  it('keeps the status an error carries, still without its insides', async () => {
    const res = await fetch(`${url}/missing/1`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('no such page');
  });
});
