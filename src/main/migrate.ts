/** `npm run migrate`: applies pending migrations to DATABASE_URL. */
import pg from 'pg';
import { loadConfig } from '../platform/config/config.ts';
import { migrate } from '../platform/db/migrate.ts';

const config = loadConfig(process.env);
if (!config.DATABASE_URL) {
  console.error('DATABASE_URL is not set (`npm run dev` migrates its embedded database by itself)');
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: config.DATABASE_URL });
const applied = await migrate(pool);
await pool.end();
console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'already up to date');
