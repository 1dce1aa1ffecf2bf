/**
 * The configuration's duration format: a whole number and one unit, `500ms`, `30s`,
 * `10m`, `2h` or `3d`. Strict on purpose: "3 days" or "1.5h" is a typo to report,
 * not a value to guess at.
 */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const [, value, unit] = match;
  const ms = Number(value) * UNIT_MS[unit as keyof typeof UNIT_MS];
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

export const DURATION_FORMAT = 'a whole number followed by ms, s, m, h or d (e.g. 30s, 3d)';
