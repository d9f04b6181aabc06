import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationDrift, SCHEMA_PATH, scratchMigrationDatabase } from '../../../prisma/migrate.ts';

// The drift check runs the committed migrations on a shadow database and
// diffs the result against schema.prisma; an in-memory PGlite is the shadow.
describe('migrations', () => {
  let db: Awaited<ReturnType<typeof scratchMigrationDatabase>>;
  beforeAll(async () => {
    db = await scratchMigrationDatabase();
  });
  afterAll(() => db.close());

  it('produce exactly the schema that schema.prisma describes', async () => {
    expect(await migrationDrift(db.adapterFactory)).toBeNull();
  });

  it('are reported as drifting when schema.prisma gains a field without a migration', async () => {
    const schema = await readFile(SCHEMA_PATH, 'utf8');
    const edited = schema.replace(/model Community \{\n/, 'model Community {\n  motto String?\n');
    expect(edited).not.toBe(schema);
    const drift = await migrationDrift(db.adapterFactory, { schema: edited });
    expect(drift).toContain('ALTER TABLE "Community" ADD COLUMN     "motto" TEXT');
  });
});
