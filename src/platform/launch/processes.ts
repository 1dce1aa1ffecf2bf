import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** True while a process with this pid exists (a zombie counts until it is reaped; see `isRunning`). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The full command line of a process, arguments separated by spaces, or undefined when
 * it is gone or cannot be read. A pid alone is not an identity (pids are reused), so
 * whoever records a pid records this too and compares before touching the process.
 */
export function commandLineOf(pid: number): string | undefined {
  if (existsSync('/proc/self/cmdline')) {
    try {
      const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return raw.length > 0 ? raw.replace(/\0+$/, '').split('\0').join(' ') : undefined;
    } catch {
      return undefined;
    }
  }
  try {
    const line = execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
    return line || undefined;
  } catch {
    return undefined;
  }
}

/** A process as recorded by the one that started it: enough to find it again safely. */
export interface ProcessIdentity {
  pid: number;
  commandLine: string;
}

export function identityOf(pid: number): ProcessIdentity | undefined {
  const commandLine = commandLineOf(pid);
  return commandLine === undefined ? undefined : { pid, commandLine };
}

/** True when the recorded process still runs, and is the same program (not a reused pid). */
export function isStillRunning(identity: ProcessIdentity): boolean {
  return isRunning(identity.pid) && commandLineOf(identity.pid) === identity.commandLine;
}

/**
 * Stops a process and its process group (the servers we start lead their own group):
 * `signal` first, SIGKILL after `graceMs`. Resolves once the pid is gone.
 */
export async function stopProcessGroup(pid: number, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  const send = (sig: NodeJS.Signals) => {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, sig);
      } catch {
        // already gone, or not a group leader
      }
    }
  };
  send(signal);
  const killAt = Date.now() + graceMs;
  let killed = false;
  while (isRunning(pid)) {
    if (!killed && Date.now() >= killAt) {
      send('SIGKILL');
      killed = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** True while the process exists and has not exited (an unreaped zombie has). */
export function isRunning(pid: number): boolean {
  return isAlive(pid) && !isZombie(pid);
}

/** A child that has exited but whose parent has not collected it yet: gone for our purposes. */
function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
