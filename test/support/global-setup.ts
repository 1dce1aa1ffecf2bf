import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../src/platform/db/migrate.ts';
import { startEmbeddedPostgresOnFreePort } from '../../src/platform/launch/embedded-postgres.ts';
import { startTemporalDevServerOnFreePorts } from '../../src/platform/launch/temporal-dev-server.ts';
import { writeWorkflowBundle } from '../../src/platform/temporal/workflow-bundle.ts';
import { WORKFLOWS_PATH } from '../../worker.ts';

export const TEMPLATE_DATABASE = 'platform_template';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    templateDatabase: string;
    temporalAddress: string;
    temporalHttpAddress: string;
    temporalNamespace: string;
    workflowBundlePath: string;
  }
}

/**
 * Starts one real PostgreSQL and one real Temporal dev server for the whole run, on
 * free ports, so `npm test` needs nothing running beforehand. Migrations run once into
 * a template database that each test file clones (CREATE DATABASE … TEMPLATE), and the
 * workflow bundle is built once for every test worker to load.
 */
export default async function setup(project: TestProject) {
  keepFailingExitCode();
  const root = mkdtempSync(join(tmpdir(), 'platform-test-'));
  const say = (line: string) => console.log(`[test setup] ${line}`);

  say('starting embedded PostgreSQL');
  const postgres = await startEmbeddedPostgresOnFreePort({ dataDir: join(root, 'pg'), persistent: false, progress: say });
  const templateUrl = await postgres.createDatabase(TEMPLATE_DATABASE);
  const pool = new pg.Pool({ connectionString: templateUrl });
  await migrate(pool);
  await pool.end();

  say('starting the Temporal dev server');
  const temporal = await startTemporalDevServerOnFreePorts({
    logFile: join(root, 'temporal.log'),
    progress: say,
  });

  say('bundling workflows');
  const workflowBundlePath = await writeWorkflowBundle(WORKFLOWS_PATH, join(root, 'workflow-bundle.js'));

  project.provide('postgresAdminUrl', postgres.url);
  project.provide('templateDatabase', TEMPLATE_DATABASE);
  project.provide('temporalAddress', temporal.address);
  project.provide('temporalHttpAddress', temporal.httpAddress);
  project.provide('temporalNamespace', temporal.namespace);
  project.provide('workflowBundlePath', workflowBundlePath);
  say(`ready: postgres ${postgres.url}, temporal ${temporal.address} (http ${temporal.httpAddress})`);

  return async () => {
    await temporal.stop();
    await postgres.stop();
    rmSync(root, { recursive: true, force: true });
  };
}

/**
 * embedded-postgres hooks the process's end through async-exit-hook, which answers
 * 'beforeExit' with `process.exit(0)`: a run with failing tests then exited 0, and CI
 * took it for green. The exit code vitest chose is remembered before that hook runs and
 * put back as the process exits.
 */
function keepFailingExitCode(): void {
  let chosen: typeof process.exitCode;
  process.prependListener('beforeExit', () => {
    chosen = process.exitCode;
  });
  process.on('exit', () => {
    if (chosen) process.exitCode = chosen;
  });
}
