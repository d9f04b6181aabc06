/**
 * A Prisma client for tests only, on the test database's own pool: tests
 * read and arrange rows through it where a typed query reads best. The
 * product builds no Prisma client at run time (its stores speak SQL).
 */
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { PrismaClient } from '../../src/store/generated/prisma/client.ts';

export function testPrisma(pool: pg.Pool): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg(pool) });
}
