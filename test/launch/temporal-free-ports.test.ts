import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/platform/launch/free-port.ts';
import { startTemporalDevServerOnFreePorts } from '../../src/platform/launch/temporal-dev-server.ts';

/**
 * A free port is only free when it is chosen: two test files, a bench and the suite's own
 * setup starting servers at once on this machine can take it in between, and the dev server
 * then dies with "address already in use" (CI saw it). A launcher that picks its own ports
 * picks again.
 */
describe('a Temporal dev server on ports chosen for it', () => {
  let squatter: Server | undefined;
  afterAll(() => squatter?.close());

  it('starts on other ports when one it was given is taken before it binds', async () => {
    const taken = await freePort();
    squatter = createServer();
    await new Promise<void>((resolve) => squatter!.listen(taken, '127.0.0.1', resolve));
    const offered: number[] = [];
    let first = true;
    const choosePort = async () => {
      const port = first ? taken : await freePort();
      first = false;
      offered.push(port);
      return port;
    };
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
