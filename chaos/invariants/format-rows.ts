import type { InvariantRow } from './invariant-row.ts';

/** How many violations a failing row shows; the rest are counted, since a broken invariant tends to break it many times. */
const SHOWN_VIOLATIONS = 5;

/**
 * The verdict as a table a person reads at the end of a run:
 *
 *     result  checked  invariant
 *     ok           42  postings sum to zero, and balances equal their entries
 *     FAIL          7  outbox drained
 *                        - outbox message … is not dispatched after 3 attempts, …
 */
export function formatInvariantRows(rows: readonly InvariantRow[]): string {
  const width = Math.max('checked'.length, ...rows.map((r) => String(r.checked).length));
  const lines = [`result  ${'checked'.padStart(width)}  invariant`];
  for (const row of rows) {
    const result = row.violations.length === 0 ? 'ok    ' : 'FAIL  ';
    lines.push(`${result}  ${String(row.checked).padStart(width)}  ${row.name}`);
    const indent = ' '.repeat(8 + width + 2);
    for (const violation of row.violations.slice(0, SHOWN_VIOLATIONS)) lines.push(`${indent}- ${violation}`);
    const more = row.violations.length - SHOWN_VIOLATIONS;
    if (more > 0) lines.push(`${indent}… and ${more} more`);
  }
  const failed = rows.filter((r) => r.violations.length > 0).length;
  lines.push(failed === 0 ? `all ${rows.length} invariants hold` : `${failed} of ${rows.length} invariants violated`);
  return lines.join('\n');
}
