import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/platform/launch/free-port.ts';
import { startEmbeddedPostgresOnFreePort } from '../../src/platform/launch/embedded-postgres.ts';
import { startTemporalDevServerOnFreePorts } from '../../src/platform/launch/temporal-dev-server.ts';

/**
 * A free port is only free when it is chosen: two test files, a bench and the suite's own
 * setup starting servers at once on this machine can take it in between, and the dev server
 * then dies with "address already in use" (CI saw it). A launcher that picks its own ports
 * picks again.
 */

/** A port that is free now, then held by a plain listener until the file ends. */
const squatters: Server[] = [];
afterAll(() => squatters.forEach((s) => s.close()));
async function takenPort(): Promise<number> {
  const port = await freePort();
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
  squatters.push(squatter);
  return port;
}

/** Offers `taken` first, then ports that are free; records what it offered. */
function portsOffering(taken: number) {
  const offered: number[] = [];
  return {
    offered,
    choosePort: async () => {
      const port = offered.length === 0 ? taken : await freePort();
      offered.push(port);
      return port;
    },
  };
}

describe('a Temporal dev server on ports chosen for it', () => {
  it('starts on other ports when one it was given is taken before it binds', async () => {
    const taken = await takenPort();
    const { choosePort } = portsOffering(taken);
    const said: string[] = [];
    const temporal = await startTemporalDevServerOnFreePorts(
      { logFile: join(mkdtempSync(join(tmpdir(), 'temporal-free-ports-')), 'temporal.log'), progress: (line) => said.push(line) },
      { choosePort },
    );
    try {
      expect(temporal.address).not.toBe(`127.0.0.1:${taken}`);
      expect(said.some((line) => line.includes('already in use') && line.includes('again'))).toBe(true);
      const response = await fetch(`http://${temporal.httpAddress}/api/v1/namespaces/${temporal.namespace}`);
      expect(response.ok).toBe(true);
    } finally {
      await temporal.stop();
    }
  }, 90_000);
});

describe('an embedded PostgreSQL on a port chosen for it', () => {
  it('starts on another port when the one it was given is taken before it binds', async () => {
    const taken = await takenPort();
    const { offered, choosePort } = portsOffering(taken);
    const said: string[] = [];
    const root = mkdtempSync(join(tmpdir(), 'postgres-free-port-'));
    const postgres = await startEmbeddedPostgresOnFreePort(
      { dataDir: join(root, 'pg'), persistent: false, progress: (line) => said.push(line) },
      { choosePort },
    );
    try {
      expect(offered[0]).toBe(taken);
      expect(postgres.port).toBe(offered[1]);
      expect(said.some((line) => line.includes(`port ${taken} was already in use`))).toBe(true);
      const client = new pg.Client({ connectionString: postgres.url });
      await client.connect();
      const { rows } = await client.query<{ dir: string }>(`SELECT current_setting('data_directory') AS dir`);
      await client.end();
      expect(rows[0]!.dir).toBe(join(root, 'pg'));
    } finally {
      await postgres.stop();
    }
  }, 120_000);
});
