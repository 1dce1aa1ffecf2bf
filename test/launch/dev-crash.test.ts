import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_SECRETS } from '../../src/platform/config/config.ts';
import { issueToken } from '../../src/platform/http/auth.ts';
import { listenerOf } from '../../src/platform/launch/ports.ts';
import { commandLineOf, isRunning } from '../../src/platform/launch/processes.ts';
import { readRunRecords } from '../../src/platform/launch/run-records.ts';
import { freeDevPorts, processesRunning, startDevStack, waitUntilGone, type DevPorts, type DevStack } from '../support/dev-stack.ts';

/**
 * `npm run dev` killed as a crash kills it (SIGKILL to its whole process group) at
 * several moments: nothing of it may listen or run three seconds later, and the next
 * start must come up with servers of its own, never attaching to a leftover.
 */
const GONE_WITHIN_MS = 3_000;
const RUNNING = /The platform is running/;

let dataDir: string;
let ports: DevPorts;
let current: DevStack | undefined;
const timings: string[] = [];

const stackPorts = () => Object.values(ports);
const runDir = () => join(dataDir, 'run');

/** Every process our records name (servers and their supervisors), and every announced server. */
function recordedPids(stack: DevStack): number[] {
  const fromRecords = readRunRecords(runDir()).flatMap(({ record }) => (record ? [record.server.pid, record.supervisor.pid] : []));
  return [...new Set([...fromRecords, ...stack.serverPids()])];
}

async function crashAndExpectNothingLeft(stack: DevStack, moment: string, alsoPids: number[] = []): Promise<void> {
  const pids = [...recordedPids(stack), ...alsoPids];
  expect(pids.length, 'there is something to watch go').toBeGreaterThan(0);
  stack.killGroup();
  await stack.exited;
  const tookMs = await waitUntilGone(stackPorts(), pids, GONE_WITHIN_MS);
  timings.push(`${moment}: everything gone ${tookMs} ms after the SIGKILL`);
}

/** Starts the stack, waits for it, and checks the servers answering are the ones it started. */
async function startAndExpectOwnServers(moment: string): Promise<DevStack> {
  const stack = startDevStack(ports, dataDir);
  current = stack;
  await stack.waitForOutput(RUNNING);
  timings.push(`${moment}: up ${Date.now() - stack.startedAt} ms after the start`);
  const health = await fetch(`${stack.apiUrl}/health`);
  expect(await health.json()).toEqual({ status: 'ok', postgres: 'ok', temporal: 'ok' });

  const [postgresPid, temporalPid] = [/PostgreSQL: pid (\d+)/, /Temporal dev server: pid (\d+)/].map((pattern) =>
    Number(stack.output().match(pattern)?.[1]),
  );
  expect(listenerOf(ports.DEV_POSTGRES_PORT)?.pid).toBe(postgresPid);
  expect(listenerOf(ports.DEV_TEMPORAL_PORT)?.pid).toBe(temporalPid);
  const records = readRunRecords(runDir()).map(({ record }) => record);
  expect(records.map((record) => record?.launcher.pid)).toEqual([stack.launcher.pid, stack.launcher.pid]);
  return stack;
}

/** initdb runs, and has written PG_VERSION already: the cluster looks made but is not. */
function initdbHalfDone(): boolean {
  return processesRunning('initdb', dataDir).some((pid) => {
    const pgdata = commandLineOf(pid)?.match(/--pgdata=(\S+)/)?.[1];
    return pgdata !== undefined && existsSync(join(pgdata, 'PG_VERSION'));
  });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dev-crash-'));
  ports = await freeDevPorts();
});

afterAll(async () => {
  if (current && current.launcher.exitCode === null) {
    current.killGroup();
    await current.exited;
  }
  console.log(`[dev crash] restart timings on this machine:\n  ${timings.join('\n  ')}`);
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describe('npm run dev killed with SIGKILL', { timeout: 240_000 }, () => {
  it('during start-up (in initdb, as PostgreSQL comes up, as Temporal comes up): nothing is left, the next start comes up', async () => {
    // A cluster half made by a killed initdb must not be taken for a made one.
    const initialising = startDevStack(ports, dataDir);
    current = initialising;
    await expect.poll(initdbHalfDone, { timeout: 60_000, interval: 2 }).toBe(true);
    await crashAndExpectNothingLeft(initialising, 'killed during initdb', processesRunning('initdb', dataDir));

    const starting = startDevStack(ports, dataDir);
    current = starting;
    await starting.waitForOutput(/PostgreSQL: pid \d+/);
    await crashAndExpectNothingLeft(starting, 'killed while starting PostgreSQL');

    const next = startDevStack(ports, dataDir);
    current = next;
    await next.waitForOutput(/Temporal dev server: pid \d+/);
    await crashAndExpectNothingLeft(next, 'killed while starting Temporal');
  });

  it('when idle: nothing is left, and the next start comes up on its own servers', async () => {
    const stack = await startAndExpectOwnServers('first full start (after two crashed starts)');

    // A second start beside a live one neither reaps nor attaches: it names the first and stops.
    const second = startDevStack(ports, dataDir);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/already in use by the PostgreSQL \(pid \d+\) of another launcher that is still running/);
    expect(second.output()).not.toContain('stopping an orphaned');
    expect((await fetch(`${stack.apiUrl}/health`)).status).toBe(200);

    await new Promise((resolve) => setTimeout(resolve, 500));
    await crashAndExpectNothingLeft(stack, 'killed while idle');
  });

  it('mid-request: nothing is left, and what was accepted before the crash is done after the restart', async () => {
    const stack = await startAndExpectOwnServers('restart after an idle crash');
    const token = await issueToken(DEV_SECRETS.AUTH_SECRET, 'crash-tester', '1h');
    const accepted: string[] = [];
    const requests = Array.from({ length: 30 }, (_, i) =>
      fetch(`${stack.apiUrl}/diagnostics/pings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: `in flight ${i}` }),
      })
        .then(async (response) => {
          if (response.status === 202) accepted.push(((await response.json()) as { pingId: string }).pingId);
        })
        .catch(() => {}),
    );
    while (accepted.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await crashAndExpectNothingLeft(stack, `killed mid-request (${accepted.length} of 30 pings accepted)`);
    await Promise.all(requests);

    const next = await startAndExpectOwnServers('restart after a crash mid-request');
    // An accepted ping is a started workflow in Temporal's state file: the new worker finishes it.
    for (const pingId of accepted) {
      await expect
        .poll(
          async () => (await fetch(`${next.apiUrl}/diagnostics/pings/${pingId}`, { headers: { authorization: `Bearer ${token}` } })).status,
          {
            timeout: 60_000,
          },
        )
        .toBe(200);
    }
    await crashAndExpectNothingLeft(next, 'killed after the mid-request check');
  });

  it('reaps the servers a crash left when their supervisors were killed too, and says so', async () => {
    const stack = await startAndExpectOwnServers('restart before the supervisors are killed');
    const records = readRunRecords(runDir()).flatMap(({ record }) => (record ? [record] : []));
    // What no watchdog survives: the supervisors die in the same instant as the launcher.
    for (const record of records) process.kill(record.supervisor.pid, 'SIGKILL');
    stack.killGroup();
    await stack.exited;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(records.map((record) => isRunning(record.server.pid))).toEqual([true, true]);

    const next = await startAndExpectOwnServers('restart that reaps orphans');
    expect(next.output()).toMatch(/stopping an orphaned PostgreSQL \(pid \d+/);
    expect(next.output()).toMatch(/stopping an orphaned Temporal dev server \(pid \d+/);
    expect(records.map((record) => isRunning(record.server.pid))).toEqual([false, false]);

    // Ctrl-C: an orderly stop leaves nothing either.
    const pids = recordedPids(next);
    process.kill(next.launcher.pid!, 'SIGINT');
    expect(await next.exited).toBe(0);
    await waitUntilGone(stackPorts(), pids, GONE_WITHIN_MS);
  });

  it('refuses a port held by a stranger, naming it, and starts nothing', async () => {
    const stranger: Server = createServer();
    await new Promise<void>((resolve) => stranger.listen(ports.DEV_TEMPORAL_PORT, '127.0.0.1', resolve));
    try {
      const stack = startDevStack(ports, dataDir);
      current = stack;
      expect(await stack.exited).toBe(1);
      expect(stack.output()).toContain(`port ${ports.DEV_TEMPORAL_PORT} (Temporal gRPC) is already in use by pid ${process.pid}`);
      expect(stack.output()).toContain('DEV_TEMPORAL_PORT');
      expect(stack.serverPids()).toEqual([]);
      expect(listenerOf(ports.DEV_TEMPORAL_PORT)?.pid).toBe(process.pid);
    } finally {
      await new Promise((resolve) => stranger.close(resolve));
    }
  });
});
