/**
 * `npm run bench -- <name>`: runs one benchmark. Each compares the platform's way with
 * a bare baseline doing the same work in the same run, on the same machine, and ends
 * with `ratio=<ours ÷ baseline>`, so results are comparable across machines.
 */
export {};

const BENCHMARKS: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  uow: () => import('./uow.ts'),
  bids: () => import('./bids.ts'),
  sagas: () => import('./sagas.ts'),
  withdrawals: () => import('./withdrawals.ts'),
  donations: () => import('./donations.ts'),
  latency: () => import('./latency.ts'),
  reads: () => import('./reads.ts'),
  scale: () => import('./scale.ts'),
  relay: () => import('./relay.ts'),
  memory: () => import('./memory.ts'),
};

const name = process.argv[2];
if (name === '--check') {
  // Loads every benchmark as this command runs it (Node's ESM loader, through tsx), runs none:
  // the tests call it, so an import that only a bundler or vitest can resolve fails there.
  for (const [benchmark, loadIt] of Object.entries(BENCHMARKS)) {
    if (typeof (await loadIt()).run !== 'function') throw new Error(`bench/${benchmark}.ts exports no run()`);
  }
  console.log(`${Object.keys(BENCHMARKS).length} benchmarks load`);
  process.exit(0);
}
const load = name ? BENCHMARKS[name] : undefined;
if (!load) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}>`);
  process.exit(2);
}
await (await load()).run();
process.exit(0);
