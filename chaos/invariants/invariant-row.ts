/**
 * One line of the harness's verdict: what was checked, how many things it looked at (so a
 * row that passes because it saw nothing is visible as such), and each violation as a
 * sentence a person can act on.
 */
export interface InvariantRow {
  name: string;
  checked: number;
  violations: string[];
}

/**
 * Runs one row's check. A check that throws (a simulator down, a malformed record) is a
 * row that failed, said as a sentence: one broken check must never hide the other rows.
 */
export async function guardedRow(name: string, check: () => Promise<Omit<InvariantRow, 'name'>>): Promise<InvariantRow> {
  try {
    return { name, ...(await check()) };
  } catch (error) {
    return { name, checked: 0, violations: [`the check itself failed: ${error instanceof Error ? error.message : String(error)}`] };
  }
}
