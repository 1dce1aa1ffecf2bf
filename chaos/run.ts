/**
 * `npm run chaos -- --minutes <n> --seed <s>`: many customers, random faults and a fuzz
 * against the whole platform, then every invariant as a row. Prints the seed first so a
 * run can be replayed; exits 1 on any violation; the last line is `violations=<n>`.
 * Other knobs: --customers, --fault-every <s>, --fuzz-requests, --quiet-timeout <s>, --data-dir.
 */
import { parseChaosArgs } from './chaos-options.ts';
import { runChaos } from './chaos-run.ts';
import { formatChaosReport } from './report.ts';

let options;
try {
  options = parseChaosArgs(process.argv.slice(2));
} catch (error) {
  console.error(`[chaos] ${(error as Error).message}`);
  process.exit(2);
}
console.log(`[chaos] seed ${options.seed}`);
try {
  const result = await runChaos(options, (line) => console.log(`[chaos] ${line}`));
  console.log(formatChaosReport(result));
  process.exit(result.violations === 0 ? 0 : 1);
} catch (error) {
  console.error(`[chaos] the run itself failed (seed ${options.seed}):`, error);
  console.log('violations=1');
  process.exit(1);
}
