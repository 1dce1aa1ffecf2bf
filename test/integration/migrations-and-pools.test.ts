import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/platform/db/migrate.ts';
import { createTestDatabase } from '../support/test-env.ts';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

describe('migrations', () => {
  it('are recorded, and running them again (even from several processes at once) applies nothing', async () => {
    const pools = [1, 2, 3].map(() => new pg.Pool({ connectionString: db.url, max: 1 }));
    const applied = await Promise.all(pools.map((pool) => migrate(pool)));
    await Promise.all(pools.map((pool) => pool.end()));
    expect(applied).toEqual([[], [], []]); // the template database was migrated already
    const { rows } = await db.pools.read.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['001_platform.sql', '002_diagnostics.sql']));
  });
});

describe('the read-only pool', () => {
  it('refuses writes at the server', async () => {
    await expect(db.pools.read.query("INSERT INTO inbox (consumer, message_id) VALUES ('x', 'y')")).rejects.toMatchObject({
      code: '25006', // read_only_sql_transaction
    });
    const { rows } = await db.pools.read.query('SHOW default_transaction_read_only');
    expect(rows[0].default_transaction_read_only).toBe('on');
  });
});
