import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { commandLineOf, type ProcessIdentity } from './processes.ts';

/** A port a launcher is about to listen on, and what for (named in messages). */
export interface WantedPort {
  port: number;
  role: string;
  /** How the user picks another port, e.g. `DEV_TEMPORAL_PORT`. */
  setting?: string;
}

/** A launcher found one of its ports in use by a process it did not start. */
export class PortTakenError extends Error {
  constructor(
    readonly wanted: WantedPort,
    readonly holder: ProcessIdentity | undefined,
    /** Who the holder is, when a launcher that is still running recorded it. */
    liveOwner?: string,
  ) {
    const who = liveOwner
      ? liveOwner
      : holder
        ? `pid ${holder.pid} (${abbreviate(holder.commandLine)}), which this launcher did not start, so it is left alone`
        : 'a process this user cannot see (try `ss -ltnp` or `lsof -i` as root), so it is left alone';
    super(
      `port ${wanted.port} (${wanted.role}) is already in use by ${who}. Stop that first` +
        (wanted.setting ? `, or choose another port with ${wanted.setting}.` : '.'),
    );
    this.name = 'PortTakenError';
  }
}

/**
 * Refuses to go on when any wanted port already accepts connections: a server that
 * silently answered in place of ours would outlive our Ctrl-C and serve stale state.
 * Run after reaping our own orphans, so what is left here is a stranger.
 */
export async function ensurePortsFree(
  ports: WantedPort[],
  ownerOf: (holder: ProcessIdentity) => string | undefined = () => undefined,
): Promise<void> {
  for (const wanted of ports) {
    if (!(await acceptsConnections(wanted.port))) continue;
    const holder = listenerOf(wanted.port);
    throw new PortTakenError(wanted, holder, holder && ownerOf(holder));
  }
}

/** True when something listens on the port at 127.0.0.1 (also true for 0.0.0.0 and ::). */
export function acceptsConnections(port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * The process listening on a TCP port, from the kernel's socket tables in /proc (Linux),
 * else from `lsof`; undefined when neither can tell (another user's process, as non-root).
 */
export function listenerOf(port: number): ProcessIdentity | undefined {
  if (existsSync('/proc/net/tcp')) return listenerFromProc(port);
  try {
    const output = execFileSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-Fp'], { encoding: 'utf8' });
    const pid = Number(/^p(\d+)/m.exec(output)?.[1]);
    const commandLine = pid ? commandLineOf(pid) : undefined;
    return pid && commandLine ? { pid, commandLine } : undefined;
  } catch {
    return undefined;
  }
}

const LISTEN = '0A';

function listenerFromProc(port: number): ProcessIdentity | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const localPort = parseInt(fields[1]?.split(':')[1] ?? '', 16);
      if (localPort === port && fields[3] === LISTEN && fields[9]) inodes.add(`socket:[${fields[9]}]`);
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let descriptors: string[];
    try {
      descriptors = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // gone, or not ours to read
    }
    for (const fd of descriptors) {
      try {
        if (inodes.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) {
          const pid = Number(entry);
          return { pid, commandLine: commandLineOf(pid) ?? '(command line unreadable)' };
        }
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

function abbreviate(commandLine: string, max = 160): string {
  return commandLine.length > max ? `${commandLine.slice(0, max - 1)}…` : commandLine;
}
