import fc from 'fast-check';
import { countStatus, emptyReport, excerpt, summarizeReport, type FuzzReport, type Sample } from './fuzz-report.ts';
import type { FuzzTarget, OwnedResource } from './fuzz-target.ts';
import { loadOperations } from './openapi-operations.ts';
import { idorCoverage, plannedRequests, type FuzzUniverse } from './request-arbitrary.ts';
import type { PlannedRequest, ResourceRef } from './request-plan.ts';
import { LOST_WHILE_SENDING } from './http-send.ts';
import { sendPlannedRequest, type CapturedWebhook, type SentRequest } from './send-planned-request.ts';
import { changedTables } from './state-fingerprint.ts';

export interface FuzzOptions {
  seed: number;
  /** How many requests to send, exactly. */
  requests: number;
  log?: (line: string) => void;
}

/** Answers that refuse the request itself: they must store no Idempotency-Key (docs/design.md). */
const NOT_ACCEPTED = new Set([400, 401, 413, 415]);

/**
 * Sends `requests` requests generated from the served OpenAPI document and the target's
 * resources, one at a time, and checks each: no 5xx (nor a hang or a dropped
 * connection), an IDOR probe only ever answered 403 or 404, a refused request changes
 * no state and stores no Idempotency-Key, a forged credential is never accepted, and a
 * replayed webhook has no second effect.
 *
 * The same seed plans the same requests: first one IDOR probe per owned resource and
 * party-only route (up to a quarter of the run), then a random mix.
 */
export async function runFuzz(target: FuzzTarget, options: FuzzOptions): Promise<FuzzReport> {
  const log = options.log ?? (() => {});
  const universe: FuzzUniverse = {
    operations: await loadOperations(target.apiUrl),
    resources: target.resources,
    customers: target.customers,
    stranger: `fuzz-stranger-${options.seed}`,
  };
  const plans = planRun(universe, options.seed, options.requests);
  log(`fuzz: seed ${options.seed}, ${plans.length} requests over ${universe.operations.length} operations and 3 webhooks`);
  const report = emptyReport();
  const parties = new Map(target.resources.map((r) => [resourceKey(r), new Set(r.parties)]));
  const captured: CapturedWebhook[] = [];
  const started = Date.now();
  for (const [index, plan] of plans.entries()) {
    await target.settle();
    const keysBefore = await target.idempotencyRows();
    const before = await target.fingerprint();
    const sent = await sendPlannedRequest(plan, target, captured);
    report.sent += 1;
    const sample = (status: Sample['status'], text: string, note: string): Sample => ({
      index,
      method: sent.method,
      path: sent.path,
      status,
      excerpt: excerpt(text),
      note: `${note} (${sent.description})`,
    });
    if (sent.outcome.kind === 'failed' && sent.outcome.reason === 'network-error' && LOST_WHILE_SENDING.test(sent.outcome.error)) {
      // The server answered and closed before reading the whole body (a 413, or a GET that
      // ignores its body); Node's client can lose that answer to the reset (http-send.ts).
      // Not a crash if the API still answers; and like any refusal it must change nothing.
      if (await apiAnswers(target.apiUrl)) {
        countStatus(report, 'closed-while-sending');
        const after = await target.fingerprint();
        if (after !== before)
          report.refusedChanges.push(
            sample('closed-while-sending', sent.outcome.error, `closed, yet changed ${changedTables(before, after)}`),
          );
        continue;
      }
    }
    if (sent.outcome.kind === 'failed') {
      countStatus(report, sent.outcome.reason);
      report.serverErrors.push(sample(sent.outcome.reason, sent.outcome.error, 'no answer'));
      log(`fuzz #${index}: ${sent.method} ${sent.path.slice(0, 120)} got no answer: ${sent.outcome.error}`);
      continue;
    }
    const { status, body } = sent.outcome;
    countStatus(report, status);
    const refused = status >= 400;
    if (status >= 500) report.serverErrors.push(sample(status, body, 'server error'));

    const after = await target.fingerprint();
    const changed = after !== before ? changedTables(before, after) : undefined;
    if (refused && changed) report.refusedChanges.push(sample(status, body, `refused, yet changed ${changed}`));
    if (NOT_ACCEPTED.has(status) && (await target.idempotencyRows()) > keysBefore) {
      report.refusedChanges.push(sample(status, body, 'refused, yet stored an Idempotency-Key'));
    }
    if (sent.mustBeRefused && !refused) report.refusedChanges.push(sample(status, body, 'accepted credentials that must be refused'));
    if (sent.replay) checkReplay(sent, status, body, changed, (note) => report.refusedChanges.push(sample(status, body, note)));
    if (plan.kind === 'api' && plan.idor && isStranger(parties, plan.idor.resource, plan.idor.caller)) {
      report.idorAttempts += 1;
      if (status !== 403 && status !== 404) report.idorLeaks.push(sample(status, body, 'a non-party was answered'));
    }
    recordNewParty(plan, status, parties);
    if ((index + 1) % 100 === 0) log(`fuzz: ${index + 1} sent in ${Date.now() - started} ms`);
  }
  log(`fuzz: done in ${Date.now() - started} ms\n${summarizeReport(report)}`);
  return report;
}

/** Whether the API is up: `/health` answers at all (any status: a 503 names a part, not a crash). */
async function apiAnswers(apiUrl: string): Promise<boolean> {
  try {
    await fetch(`${apiUrl}/health`, { signal: AbortSignal.timeout(5_000) });
    return true;
  } catch {
    return false;
  }
}

/** The run's requests, the same for the same seed. */
export function planRun(universe: FuzzUniverse, seed: number, requests: number): PlannedRequest[] {
  const coverage = (fc.sample(idorCoverage(universe), { seed, numRuns: 1 })[0] ?? []).slice(0, Math.floor(requests / 4));
  const remaining = requests - coverage.length;
  const mix = remaining > 0 ? fc.sample(plannedRequests(universe), { seed: seed + 1, numRuns: remaining }) : [];
  return [...coverage, ...mix];
}

/**
 * A replayed webhook has no second effect: once stale it is a 401; an event handled the
 * first time (200) is a 200 `duplicate`; one refused the first time is refused the same
 * way again, or is a 200 `duplicate` if another event has taken its id since (ids are
 * shared between some of the fuzz's events on purpose).
 */
function checkReplay(sent: SentRequest, status: number, body: string, changed: string | undefined, flag: (note: string) => void): void {
  const { firstStatus, stale } = sent.replay!;
  const duplicate = status === 200 && isDuplicateAnswer(body);
  if (stale) {
    if (status !== 401) flag(`replay of a stale signature answered ${status}, expected 401`);
  } else if (firstStatus === 200) {
    if (!duplicate) flag(`replay answered ${status} without duplicate: true, expected a 200 duplicate`);
  } else if (firstStatus !== undefined && status !== firstStatus && !duplicate) {
    flag(`replay answered ${status}, expected ${firstStatus} as the first time (or a 200 duplicate)`);
  }
  if (status < 400 && changed) flag(`replay had a second effect on ${changed}`);
}

function isDuplicateAnswer(body: string): boolean {
  try {
    return (JSON.parse(body) as { duplicate?: unknown }).duplicate === true;
  } catch {
    return false;
  }
}

/**
 * A caller who acted on a resource with success (a bid on an auction) is a party to it
 * from then on: later probes by that caller are no longer IDOR attempts. Reading is not
 * acting: anyone may read a public auction and stays a stranger to its party-only routes.
 */
function recordNewParty(plan: PlannedRequest, status: number, parties: Map<string, Set<string>>): void {
  if (plan.kind !== 'api' || !plan.resource || plan.auth.kind !== 'valid' || status >= 300) return;
  if (['GET', 'HEAD', 'OPTIONS'].includes(plan.method)) return;
  parties.get(resourceKey(plan.resource))?.add(plan.auth.subject);
}

function isStranger(parties: Map<string, Set<string>>, resource: ResourceRef, caller: string): boolean {
  return !parties.get(resourceKey(resource))?.has(caller);
}

const resourceKey = (resource: ResourceRef | OwnedResource) => `${resource.kind}:${resource.id}`;
