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
const load = name ? BENCHMARKS[name] : undefined;
if (!load) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHMARKS).join('|')}>`);
  process.exit(2);
}
await (await load()).run();
process.exit(0);
