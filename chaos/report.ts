import type { ChaosResult } from './chaos-run.ts';
import { FAULT_KINDS } from './faults.ts';
import type { InvariantRow } from './invariants/invariant-row.ts';

const SHOWN_PER_ROW = 5;

/** The run's figures and its verdict, as the README and the closing note quote them. The last line is `violations=<n>`. */
export function formatChaosReport(result: ChaosResult): string {
  const lines: string[] = [];
  const table = (entries: [string, number][]) => entries.sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `    ${k.padEnd(40)} ${v}`);
  lines.push('', `chaos run, seed ${result.seed} (replay: npm run chaos -- --seed ${result.seed} …)`);
  lines.push(`  load: ${result.loadTally.requests} customer requests by ${result.load.customers.length} customers`);
  lines.push(
    `    answers: ${Object.entries(result.loadTally.byStatus)
      .map(([s, n]) => `${s}:${n}`)
      .join(' ')}`,
  );
  lines.push('  scenarios run:', ...table(Object.entries(result.load.scenarios)));
  lines.push('  outcomes:', ...table(Object.entries(result.load.outcomes)));
  lines.push('  sagas run, by kind (Temporal):', ...table(Object.entries(result.sagas)));
  lines.push('  orders at quiescence, by status (before the fuzz):', ...table(Object.entries(result.orders)));
  const faults = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, result.faults.filter((f) => f.kind === kind).length]));
  lines.push(`  faults injected: ${result.faults.length}`, ...table(Object.entries(faults)));
  lines.push(
    `  processes that died by themselves and were restarted: ${Object.entries(result.selfExits)
      .map(([n, c]) => `${n} ${c}`)
      .join(', ')}`,
  );
  lines.push(
    `  fuzz: ${result.fuzz.sent} requests; ${result.fuzz.serverErrors.length} answered 5xx; ` +
      `${result.fuzz.idorAttempts} IDOR attempts, ${result.fuzz.idorLeaks.length} answered other than 403/404; ` +
      `${result.fuzz.refusedChanges.length} refused requests changed state`,
  );
  lines.push(
    `    answers: ${Object.entries(result.fuzz.byStatus)
      .map(([s, n]) => `${s}:${n}`)
      .join(' ')}`,
  );
  lines.push('  invariants:', ...result.rows.flatMap(formatRow));
  if (result.violations > 0) lines.push(`  logs and data kept in ${result.dataDir}; replay with --seed ${result.seed}`);
  lines.push(`violations=${result.violations}`);
  return lines.join('\n');
}

function formatRow(row: InvariantRow): string[] {
  const verdict = row.violations.length === 0 ? ' ok ' : 'FAIL';
  return [
    `    ${verdict} ${row.name.padEnd(72)} checked ${row.checked}${row.violations.length ? `, ${row.violations.length} violations` : ''}`,
    ...row.violations.slice(0, SHOWN_PER_ROW).map((v) => `           - ${v}`),
    ...(row.violations.length > SHOWN_PER_ROW ? [`           … and ${row.violations.length - SHOWN_PER_ROW} more`] : []),
  ];
}
