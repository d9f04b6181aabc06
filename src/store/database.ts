/**
 * Opens the database: PostgreSQL through `@prisma/adapter-pg` when a URL is
 * configured, otherwise an embedded PGlite directory so that a newcomer needs
 * no server. Both speak PostgreSQL, so one schema and one set of migrations
 * serve both.
 */
import { mkdir } from 'node:fs/promises';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from './generated/prisma/client.ts';

export type DatabaseTarget =
  | { kind: 'postgres'; url: string }
  | { kind: 'pglite'; dataDir: string };

export type Database = {
  prisma: PrismaClient;
  /** The same connection(s), for the migration runner. */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  kind: DatabaseTarget['kind'];
  close(): Promise<void>;
};

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'postgres') {
    const { PrismaPg } = await import('@prisma/adapter-pg');
    const adapterFactory = new PrismaPg({ connectionString: target.url, max: 10 });
    const prisma = new PrismaClient({ adapter: adapterFactory });
    return { prisma, adapterFactory, kind: 'postgres', close: () => prisma.$disconnect() };
  }
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('pglite-prisma-adapter'),
  ]);
  if (!target.dataDir.startsWith('memory://')) await mkdir(target.dataDir, { recursive: true });
  const pglite = await PGlite.create(target.dataDir);
  // pglite-prisma-adapter is built against an older driver-adapter-utils whose
  // types differ nominally; at run time it implements the same interface.
  const adapterFactory = new PrismaPGlite(
    pglite,
  ) as unknown as SqlMigrationAwareDriverAdapterFactory;
  const prisma = new PrismaClient({ adapter: adapterFactory });
  return {
    prisma,
    adapterFactory,
    kind: 'pglite',
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}

/** True when the database answers a trivial query. */
export async function pingDatabase(db: Database): Promise<boolean> {
  try {
    await db.prisma.$queryRaw`SELECT 1`;
    return true;
  } catch {
    return false;
  }
}
