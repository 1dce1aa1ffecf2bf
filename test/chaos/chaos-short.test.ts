import { describe, expect, it } from 'vitest';
import { runChaos } from '../../chaos/chaos-run.ts';
import { formatChaosReport } from '../../chaos/report.ts';

/**
 * The short variant of `npm run chaos`: the same harness, the same checks, scaled down by
 * its flags only (half a minute of load, eight customers, a fault every three seconds, a
 * few hundred fuzzed requests). The seed is fixed so a failure here replays with the
 * command the report prints.
 */
describe('chaos, short run', () => {
  it('ends every saga and keeps every invariant under load, faults and fuzz', { timeout: 170_000 }, async () => {
    const lines: string[] = [];
    const result = await runChaos(
      { minutes: 0.5, seed: 20261123, customers: 8, faultEvery: 3, fuzzRequests: 300, quietTimeout: 60 },
      (line) => lines.push(line),
    );
    const report = formatChaosReport(result);
    // The run must really have run: customers, faults of several kinds, sagas, fuzz.
    expect(
      Object.values(result.load.scenarios).reduce((a, b) => a + b, 0),
      report,
    ).toBeGreaterThan(5);
    expect(new Set(result.faults.map((f) => f.kind)).size, `${report}\n${lines.join('\n')}`).toBeGreaterThan(2);
    expect(Object.keys(result.sagas), report).toEqual(expect.arrayContaining(['payingForWonItem', 'bitcoinWithdrawal']));
    expect(result.fuzz.sent, report).toBe(300);
    expect(result.fuzz.idorAttempts, report).toBeGreaterThan(0);
    expect(
      result.rows.every((row) => row.checked > 0 || row.violations.length > 0),
      report,
    ).toBe(true);
    expect(result.violations, `${report}\n${lines.join('\n')}`).toBe(0);
    expect(report.split('\n').at(-1)).toBe('violations=0');
  });
});
