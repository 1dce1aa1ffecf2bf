import type { Random } from './random.ts';
import type { ChaosStack, SimulatorName } from './stack.ts';

export const FAULT_KINDS = [
  'kill-worker',
  'kill-relay',
  'kill-api',
  'restart-postgres',
  'restart-temporal',
  'webhooks-repeat',
  'webhooks-reorder',
  'webhooks-delay',
  'simulator-errors',
  'simulator-hangs',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Kills are cheap and common in production; restarts of the stores are rarer and slower. */
const WEIGHTS: Record<FaultKind, number> = {
  'kill-worker': 4,
  'kill-relay': 3,
  'kill-api': 3,
  'restart-postgres': 2,
  'restart-temporal': 2,
  'webhooks-repeat': 3,
  'webhooks-reorder': 3,
  'webhooks-delay': 3,
  'simulator-errors': 3,
  'simulator-hangs': 3,
};

export interface FaultLogEntry {
  atMs: number;
  kind: FaultKind;
  detail: string;
}

/**
 * The seeded fault scheduler: from the start until `until`, one fault every `everyMs`
 * on average (between half and one and a half of it), chosen by weight. A process
 * kill or a store restart is done and healed before the next fault; a troubled link
 * or webhook window runs for its seconds beside what follows. Each fault is logged with
 * its time since the start of the run.
 */
export async function runFaults(options: {
  stack: ChaosStack;
  random: Random;
  startedAt: number;
  until: number;
  everyMs: number;
  log: (line: string) => void;
}): Promise<FaultLogEntry[]> {
  const { stack, random } = options;
  const entries: FaultLogEntry[] = [];
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  for (;;) {
    await sleep(random.int(Math.floor(options.everyMs / 2), Math.floor((options.everyMs * 3) / 2)));
    if (Date.now() >= options.until) break;
    const kind = random.weighted(WEIGHTS);
    const atMs = Date.now() - options.startedAt;
    options.log(`fault ${kind} …`);
    const detail = await strike(kind).catch((error: Error) => `failed to inject: ${error.message}`);
    entries.push({ atMs, kind, detail });
    options.log(`fault ${kind}: ${detail}`);
  }
  return entries;

  async function strike(kind: FaultKind): Promise<string> {
    switch (kind) {
      case 'kill-worker':
      case 'kill-relay':
      case 'kill-api': {
        const name = kind === 'kill-worker' ? 'worker' : kind === 'kill-relay' ? 'relay' : 'api';
        const { killedPid, restartMs } = await stack.processes[name].killAndRestart();
        return `SIGKILL pid ${killedPid}; the new ${name} (pid ${stack.processes[name].pid()}) was ready after ${restartMs} ms`;
      }
      case 'restart-postgres': {
        const { downMs } = await stack.restartPostgres();
        return `stopped and started again (data kept), down for ${downMs} ms`;
      }
      case 'restart-temporal': {
        const { downMs } = await stack.restartTemporal();
        return `stopped and started again (state kept), down for ${downMs} ms`;
      }
      case 'webhooks-repeat':
      case 'webhooks-reorder':
      case 'webhooks-delay': {
        const forMs = random.int(2_000, 10_000);
        stack.webhooks.trouble(kind.replace('webhooks-', '') as 'repeat' | 'reorder' | 'delay', forMs);
        return `for ${forMs} ms`;
      }
      case 'simulator-errors':
      case 'simulator-hangs': {
        const simulator = random.pick<SimulatorName>(['payments', 'carrier', 'lightning']);
        const forMs = random.int(2_000, 8_000);
        stack.links[simulator].trouble(kind === 'simulator-errors' ? 'errors' : 'hangs', forMs);
        return `the ${simulator} simulator ${kind === 'simulator-errors' ? 'answers 500' : 'hangs'} for ${forMs} ms`;
      }
    }
  }
}

/** Ends every troubled window at once: the run is about to wait for quiescence. */
export function healAll(stack: ChaosStack): void {
  stack.webhooks.heal();
  for (const link of Object.values(stack.links)) link.heal();
}
