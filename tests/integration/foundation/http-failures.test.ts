/**
 * A page whose route fails (the database down while a resident opens the
 * board) answers a short message in both languages, never the error: outside
 * NODE_ENV=production express's default answer is the stack trace.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerFailures, createHttpApp, listen } from '../../../src/runtime/http-server.ts';
import { createMetrics } from '../../../src/runtime/metrics.ts';

describe('a failed page', () => {
  let url = '';
  let close = async () => {};
  let server: Server;
  const logged: string[] = [];
  const warned: string[] = [];

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
    const warnings = pino({ level: 'warn' }, { write: (line: string) => void warned.push(line) });
    server = await listen(app, 0, warnings);
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

  it('serves on after a connection it could not accept, and logs it', async () => {
    // What node emits when accept() fails, e.g. out of file descriptors under a flood.
    const emfile = Object.assign(new Error('accept EMFILE'), { code: 'EMFILE', syscall: 'accept' });
    expect(server.emit('error', emfile)).toBe(true);
    expect(warned.join('\n')).toContain('EMFILE');
    const res = await fetch(`${url}/missing/2`);
    expect(res.status).toBe(404);
  });
});
