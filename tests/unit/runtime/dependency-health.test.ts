import { describe, expect, it } from 'vitest';
import { YishiError } from '../../../src/errors.ts';
import { createDependencyHealth } from '../../../src/runtime/dependency-health.ts';
import { createMetrics } from '../../../src/runtime/metrics.ts';

function tracker() {
  const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
  const log = {
    warn: (fields: Record<string, unknown>, msg: string) =>
      lines.push({ level: 'warn', fields, msg }),
    info: (fields: Record<string, unknown>, msg: string) =>
      lines.push({ level: 'info', fields, msg }),
  };
  let now = 1_000;
  const health = createDependencyHealth({
    log,
    metrics: createMetrics(),
    probes: { database: async () => false, redis: async () => false },
    ports: { database: 5433, redis: 6380 },
    now: () => now,
  });
  return { health, lines, advance: (ms: number) => (now += ms) };
}

describe('dependency health', () => {
  it('tells whose lost connection an error is, through wrappers such as grammY BotError', () => {
    const { health } = tracker();
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6380'), {
      code: 'ECONNREFUSED',
      port: 6380,
    });
    expect(health.absorb({ message: 'Error in middleware', error: refused })).toBe(true);
    expect(health.isUp('redis')).toBe(false);
    expect(health.isUp('database')).toBe(true);
    const lost = new YishiError('database_unreachable', 'database unreachable: read ECONNRESET');
    expect(health.absorb(lost)).toBe(true);
    expect(health.isUp('database')).toBe(false);
    health.close();
  });

  it('leaves other errors to be logged', () => {
    const { health } = tracker();
    expect(health.absorb(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(
      false,
    );
    expect(health.absorb(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    health.close();
  });

  it('an outage is one warning and one recovery line with its downtime, however many failures', () => {
    const { health, lines, advance } = tracker();
    for (let i = 0; i < 50; i++) health.failed('database', new Error('Connection terminated'));
    advance(4_200);
    health.observe('database', true);
    health.observe('database', true);
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'database unreachable: requests that need it fail until it is back'],
      ['info', 'database reachable again'],
    ]);
    expect(lines[1]?.fields.downtimeMs).toBe(4_200);
    health.close();
  });
});
