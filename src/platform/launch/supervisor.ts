/**
 * The watchdog between a launcher and one server it starts (PostgreSQL, the Temporal
 * dev server, a test's worker process). A launcher can die in ways that run none of its
 * code (SIGKILL, the OOM killer, a closed laptop); the kernel then closes its end of our
 * stdin pipe, and that is the one signal we trust: on end of stdin the server is stopped
 * (its stop signal, then SIGKILL after a short grace), so it is gone within about two
 * seconds of the launcher. SIGTERM from the launcher is the orderly stop, with a longer
 * grace. The server leads its own process group, so its helpers go with it.
 *
 * The supervisor also keeps the server's run record (`run-records.ts`) for the next
 * start's reaper, and tells the launcher the server's pid on fd 3.
 *
 * Started by `supervised-process.ts`: `node --import tsx supervisor.ts '<spec as JSON>'`,
 * in its own session, so a signal to the launcher's process group does not reach it.
 */
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';
import { identityOf } from './processes.ts';
import { removeRunRecord, writeRunRecord } from './run-records.ts';
import { HANDSHAKE_FD, SupervisorSpecSchema, type SupervisorSpec } from './supervisor-protocol.ts';

function supervise(spec: SupervisorSpec): void {
  // A launcher that died while we started has been replaced as our parent: start nothing.
  if (process.ppid !== spec.launcherPid) process.exit(1);
  const launcher = identityOf(spec.launcherPid);
  const server = spawn(spec.command, spec.args, {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
    cwd: spec.cwd,
    uid: spec.uid,
    gid: spec.gid,
  });
  // spawn() returns once exec succeeded or failed; failure arrives as 'error' with no pid.
  server.once('error', (error) => {
    console.error(`[supervisor] could not start ${spec.name}: ${error.message}`);
    process.exit(127);
  });
  if (server.pid === undefined) return;
  const serverPid = server.pid;

  const self = identityOf(process.pid);
  const serverIdentity = identityOf(serverPid);
  if (launcher && self && serverIdentity) {
    writeRunRecord(spec.recordFile, {
      name: spec.name,
      launcher,
      supervisor: self,
      server: serverIdentity,
      ports: spec.ports,
      stopSignal: spec.stopSignal,
      startedAt: new Date().toISOString(),
    });
  }
  try {
    writeSync(HANDSHAKE_FD, `${JSON.stringify({ pid: serverPid })}\n`);
  } catch {
    // The launcher is already gone: stdin's end will follow and stop the server.
  }

  let stopping = false;
  const stop = (graceMs: number) => {
    if (stopping) return;
    stopping = true;
    signalServer(spec.stopSignal);
    setTimeout(() => signalServer('SIGKILL', true), graceMs).unref();
  };
  const signalServer = (signal: NodeJS.Signals, wholeGroup = false) => {
    try {
      // The stop signal goes to the server alone (Postgres' backends take SIGINT as
      // "cancel the query"); SIGKILL goes to the whole group.
      process.kill(wholeGroup ? -serverPid : serverPid, signal);
    } catch {
      // already gone
    }
  };

  server.once('exit', (code, signal) => {
    removeRunRecord(spec.recordFile);
    // Anything the server left in its group (Postgres backends exit by themselves once
    // the postmaster is gone, but do not wait for that).
    try {
      process.kill(-serverPid, 'SIGKILL');
    } catch {
      // nothing left
    }
    process.exit(code ?? (signal ? 128 : 1));
  });

  process.stdin.on('end', () => stop(spec.watchdogGraceMs));
  process.stdin.on('close', () => stop(spec.watchdogGraceMs));
  process.stdin.on('error', () => stop(spec.watchdogGraceMs));
  process.stdin.resume();
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop(spec.orderlyGraceMs));
}

supervise(SupervisorSpecSchema.parse(JSON.parse(process.argv[2] ?? '{}')));
