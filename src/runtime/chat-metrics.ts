import { Gauge, type Registry } from 'prom-client';

/**
 * `yishi_unreachable_bound_chats`: bound chats the platform refuses the bot
 * in (removed, kicked, no rights), whose cards are skipped until it is added
 * back. Counted in PostgreSQL on each scrape; a failed count keeps the last
 * value rather than failing the whole scrape.
 */
export function watchUnreachableChats(registry: Registry, count: () => Promise<number>): Gauge {
  return new Gauge({
    name: 'yishi_unreachable_bound_chats',
    help: 'Bound chats where the platform refuses the bot (cards to them are skipped)',
    registers: [registry],
    async collect() {
      try {
        this.set(await count());
      } catch {
        // The database is down: /healthz says so; the scrape still answers.
      }
    },
  });
}
