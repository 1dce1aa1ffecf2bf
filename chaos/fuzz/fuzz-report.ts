/**
 * The figures a fuzz run reports, and the evidence behind each bad one: enough of the
 * request and the answer to replay it by hand (the seed and the index replay it exactly).
 */

export interface Sample {
  /** Position of the request in the run: with the seed, it replays the very same request. */
  index: number;
  method: string;
  path: string;
  /** The HTTP status, or why there was none (`network-error`, `timeout`). */
  status: number | 'network-error' | 'timeout' | 'closed-while-sending';
  /** The start of the answer's body, or the error text. */
  excerpt: string;
  /** What made this a sample, and what the request was (auth, body). */
  note: string;
}

export interface FuzzReport {
  sent: number;
  /** Answers by status, plus `network-error` and `timeout` for requests that got none. */
  byStatus: Record<string, number>;
  /** 5xx answers, and requests answered with nothing (a dropped connection, a hang past 10 s). */
  serverErrors: Sample[];
  /** IDOR probes sent while their caller was not a party to the resource. */
  idorAttempts: number;
  /** IDOR probes answered other than 403 or 404. */
  idorLeaks: Sample[];
  /**
   * Refusals (4xx, 5xx) that changed the business state, 400/401/413/415 answers that
   * stored an Idempotency-Key, and, as worse cases of the same, requests that had to be
   * refused but were accepted (a forged or missing token on a secured route, a forged
   * or stale webhook signature) and replayed webhooks that had a second effect or were
   * not answered as the first time.
   */
  refusedChanges: Sample[];
}

export function emptyReport(): FuzzReport {
  return { sent: 0, byStatus: {}, serverErrors: [], idorAttempts: 0, idorLeaks: [], refusedChanges: [] };
}

export function countStatus(report: FuzzReport, status: Sample['status']): void {
  const key = String(status);
  report.byStatus[key] = (report.byStatus[key] ?? 0) + 1;
}

/** One line per figure, for logs and assertion messages. */
export function summarizeReport(report: FuzzReport): string {
  const statuses = Object.entries(report.byStatus)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status}:${n}`)
    .join(' ');
  const samples = (name: string, list: Sample[]) =>
    list.map((s) => `  ${name} #${s.index} ${s.method} ${s.path.slice(0, 160)} -> ${s.status}: ${s.note} | ${s.excerpt}`);
  return [
    `sent=${report.sent} 5xx=${report.serverErrors.length} idorAttempts=${report.idorAttempts} idorLeaks=${report.idorLeaks.length} refusedChanges=${report.refusedChanges.length}`,
    `by status: ${statuses}`,
    ...samples('server error', report.serverErrors),
    ...samples('IDOR leak', report.idorLeaks),
    ...samples('refused change', report.refusedChanges),
  ].join('\n');
}

/** The start of a text, with control characters shown, so a hostile answer cannot garble a log. */
export function excerpt(text: string, max = 300): string {
  const short = text.length > max ? `${text.slice(0, max)}… (${text.length} chars)` : text;
  return short.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
