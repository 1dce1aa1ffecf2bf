/**
 * Donations per second by N concurrent donors into ONE hot campaign, through the `donate`
 * use case (campaign row locked FOR UPDATE, donation looked up for idempotency, donor's
 * versioned account, donation row, ledger posting, events and outbox in one unit of
 * work), against raw ledger postings on the same kind of rows with the same concurrency,
 * in the same run: one transaction that debits the donor's account row (guarded against
 * overdraft), adds to the campaign's row and inserts the posting with its two entries.
 * Each side has its own campaign and its own funded donors, so both start from the same
 * state; rounds alternate (support.ts `compare`) and the medians are reported.
 * Afterwards every successful donation must be in its campaign's raised and escrow, and
 * the ledger and escrow checks must be clean, else the bench fails.
 */
import { checkLedger } from '../src/accounting/queries.ts';
import { deposit } from '../src/accounting/use-cases.ts';
import { escrowAccountOf } from '../src/crowdfunding/domain.ts';
import { donate, openCampaign } from '../src/crowdfunding/use-cases.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { Money } from '../src/kernel/money.ts';
import { createPools, type Pools } from '../src/platform/db/pools.ts';
import { escrowViolations } from '../chaos/invariants/escrow.ts';
import { benchPostgres, compare, throughput } from './support.ts';

/** `DONORS=n DONATIONS=n npm run bench -- donations` to change concurrency and round size. */
const DONORS = Number(process.env.DONORS ?? 32);
const DONATIONS = Number(process.env.DONATIONS ?? 1000);
const ROUNDS = 3;
/** Each donor's deposit: far more than every round's donations can take. */
const FUNDING = 100_000_000n;

export interface DonationsOptions {
  /** Concurrent donors per side, each with its own account, donating in a loop. */
  donors: number;
  /** Donations (or baseline postings) per measured round. */
  donations: number;
  /** Measured rounds per side, after a warm-up of a quarter round each. */
  rounds: number;
}

export interface SideFigures {
  /** Median rate of the measured rounds, per second. */
  rate: number;
  p50Ms: number;
  p99Ms: number;
}

export interface DonationsResult {
  platform: SideFigures;
  baseline: SideFigures;
  ratio: number;
  /** Successful donations and baseline postings, warm-up included, all verified. */
  donated: { count: number; sum: bigint };
  posted: { count: number; sum: bigint };
}

/** Raw SQL of the baseline, prepared like the platform's hot statements. */
const DEBIT = `UPDATE accounts SET balance_minor = balance_minor - $2 WHERE id = $1 AND balance_minor - reserved_minor >= $2`;
const ESCROW = `UPDATE campaigns SET raised_minor = raised_minor + $2, escrow_minor = escrow_minor + $2 WHERE id = $1 AND status = 'open'`;
const POSTING = `WITH posting AS (INSERT INTO ledger_postings (id, kind, reference, currency) VALUES ($1, 'donation', $2, 'SAT'))
  INSERT INTO ledger_entries (posting_id, account_id, amount_minor)
  SELECT $1, account_id, amount FROM unnest($3::text[], $4::bigint[]) AS e(account_id, amount)`;

/** 1–7 SAT, varied so a lost or doubled donation shows in the sums. */
const amountOf = (n: number) => BigInt(1 + (n % 7));

/**
 * Sets up a campaign and funded donors per side, measures both sides alternately, and
 * verifies the books. Throws if anything does not add up.
 */
export async function measureDonations(pools: Pools, options: DonationsOptions): Promise<DonationsResult> {
  const pool = pools.write;
  const deps = { pool, clock: systemClock };
  const tag = crypto.randomUUID().slice(0, 8);
  const owner = `bench-owner-${tag}`;
  const open = async (title: string) =>
    (
      await openCampaign(deps, {
        campaignId: crypto.randomUUID(),
        ownerId: owner,
        title,
        goal: Money.fromMinorUnits(10n ** 15n, 'SAT'),
        endsAt: new Date(Date.now() + 24 * 3_600_000),
      })
    ).campaignId;
  const fund = async (side: string) => {
    const donors = Array.from({ length: options.donors }, (_, i) => `bench-donor-${side}-${tag}-${i}`);
    for (const donor of donors) await deposit(pool, { accountId: donor, customerId: donor, amount: Money.fromMinorUnits(FUNDING, 'SAT') });
    return donors;
  };
  const hot = await open('Hot campaign (donate use case)');
  const raw = await open('Hot campaign (raw ledger postings)');
  const donorsOf = { platform: await fund('platform'), baseline: await fund('baseline') };

  const donated = { count: 0, sum: 0n };
  const posted = { count: 0, sum: 0n };
  const latencies = { platform: [] as number[], baseline: [] as number[] };
  let measuring = false;
  let n = 0;
  const timed = async (side: 'platform' | 'baseline', work: () => Promise<void>) => {
    const started = performance.now();
    await work();
    if (measuring) latencies[side].push(performance.now() - started);
  };

  const throughDonate = (round = options) =>
    throughput(round.donations, options.donors, (donor) =>
      timed('platform', async () => {
        const amount = amountOf(++n);
        await donate(deps, {
          campaignId: hot,
          donorId: donorsOf.platform[donor]!,
          donationId: crypto.randomUUID(),
          amount: Money.fromMinorUnits(amount, 'SAT'),
        });
        donated.count++;
        donated.sum += amount;
      }),
    );

  const rawPostings = (round = options) =>
    throughput(round.donations, options.donors, (donor) =>
      timed('baseline', async () => {
        const amount = amountOf(++n);
        const donorId = donorsOf.baseline[donor]!;
        const postingId = crypto.randomUUID();
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const debited = await client.query({ name: 'raw.debit', text: DEBIT, values: [donorId, amount.toString()] });
          if (debited.rowCount !== 1) throw new Error(`baseline: donor ${donorId} cannot pay ${amount}`);
          const escrowed = await client.query({ name: 'raw.escrow', text: ESCROW, values: [raw, amount.toString()] });
          if (escrowed.rowCount !== 1) throw new Error(`baseline: campaign ${raw} is not open`);
          await client.query({
            name: 'raw.posting',
            text: POSTING,
            values: [postingId, postingId, [donorId, escrowAccountOf(raw)], [(-amount).toString(), amount.toString()]],
          });
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        } finally {
          client.release();
        }
        posted.count++;
        posted.sum += amount;
      }),
    );

  // Warm-up (a quarter round each): JIT, connections, prepared statements, caches.
  const warmUp = { ...options, donations: Math.max(options.donors, Math.ceil(options.donations / 4)) };
  await throughDonate(warmUp);
  await rawPostings(warmUp);
  measuring = true;
  const result = await compare({ ours: () => throughDonate(), baseline: () => rawPostings() }, options.rounds);
  measuring = false;

  await verify(pools, { hot, raw, donated, posted });
  return {
    platform: { rate: result.ours, ...percentiles(latencies.platform) },
    baseline: { rate: result.baseline, ...percentiles(latencies.baseline) },
    ratio: result.ratio,
    donated,
    posted,
  };
}

/** Every successful donation and posting is in its campaign's raised and escrow; the ledger and escrow checks are clean. */
async function verify(
  pools: Pools,
  sides: { hot: string; raw: string; donated: { count: number; sum: bigint }; posted: { count: number; sum: bigint } },
): Promise<void> {
  const read = pools.read;
  const problems: string[] = [];
  const campaign = async (id: string) => {
    const { rows } = await read.query(
      `SELECT raised_minor::text AS raised, escrow_minor::text AS escrow,
         (SELECT count(*)::int FROM donations WHERE campaign_id = $1) AS donations,
         (SELECT COALESCE(SUM(amount_minor), 0)::text FROM donations WHERE campaign_id = $1 AND status = 'held') AS held,
         (SELECT count(*)::int FROM ledger_entries WHERE account_id = $2) AS entries,
         (SELECT COALESCE(SUM(amount_minor), 0)::text FROM ledger_entries WHERE account_id = $2) AS credited,
         (SELECT count(*)::int FROM event_store WHERE aggregate_id = $1::text AND event_type = 'DonationReceived') AS events
       FROM campaigns WHERE id = $1`,
      [id, escrowAccountOf(id)],
    );
    return rows[0] as {
      raised: string;
      escrow: string;
      donations: number;
      held: string;
      entries: number;
      credited: string;
      events: number;
    };
  };
  const hot = await campaign(sides.hot);
  const want = { count: sides.donated.count, sum: sides.donated.sum.toString() };
  if (hot.raised !== want.sum || hot.escrow !== want.sum)
    problems.push(`donate: ${want.count} donations of ${want.sum} SAT, campaign raised ${hot.raised}, escrow ${hot.escrow}`);
  if (hot.donations !== want.count || hot.held !== want.sum)
    problems.push(`donate: ${want.count} donations of ${want.sum} SAT, ${hot.donations} donation rows holding ${hot.held}`);
  if (hot.entries !== want.count || hot.credited !== want.sum)
    problems.push(`donate: ${want.count} donations of ${want.sum} SAT, ${hot.entries} escrow entries crediting ${hot.credited}`);
  if (hot.events !== want.count) problems.push(`donate: ${want.count} donations, ${hot.events} DonationReceived events`);
  const raw = await campaign(sides.raw);
  const posted = { count: sides.posted.count, sum: sides.posted.sum.toString() };
  if (raw.raised !== posted.sum || raw.escrow !== posted.sum || raw.entries !== posted.count || raw.credited !== posted.sum) {
    problems.push(
      `baseline: ${posted.count} postings of ${posted.sum} SAT, campaign raised ${raw.raised}, escrow ${raw.escrow}, ${raw.entries} escrow entries crediting ${raw.credited}`,
    );
  }
  const ledger = await checkLedger(read);
  for (const [check, rows] of Object.entries(ledger))
    if (rows.length > 0) problems.push(`ledger ${check}: ${JSON.stringify(rows.slice(0, 5))}`);
  // The baseline moves money only: it writes no donation rows, so the escrow check's
  // donation-based rules do not apply to its campaign (its sums are checked above).
  const escrow = (await escrowViolations(read, { settled: false })).filter((v) => !v.startsWith(`campaign ${sides.raw} `));
  problems.push(...escrow);
  if (problems.length > 0) throw new Error(`donations bench: the books do not add up:\n  ${problems.join('\n  ')}`);
}

function percentiles(values: number[]): { p50Ms: number; p99Ms: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

export async function run(): Promise<void> {
  console.log(
    `donations: ${DONATIONS} per round by ${DONORS} concurrent donors (own funded account each) into one campaign, ` +
      `${ROUNDS} alternating rounds per side, vs raw ledger postings on the same kind of rows`,
  );
  const postgres = await benchPostgres();
  const pools = createPools(postgres.url, { max: DONORS, applicationName: 'bench' });
  try {
    const r = await measureDonations(pools, { donors: DONORS, donations: DONATIONS, rounds: ROUNDS });
    const ms = (x: number) => x.toFixed(1);
    console.log(
      `donate use case: ${r.platform.rate.toFixed(0)} donations/s (p50 ${ms(r.platform.p50Ms)} ms, p99 ${ms(r.platform.p99Ms)} ms)`,
    );
    console.log(
      `raw ledger postings: ${r.baseline.rate.toFixed(0)} postings/s (p50 ${ms(r.baseline.p50Ms)} ms, p99 ${ms(r.baseline.p99Ms)} ms)`,
    );
    console.log(
      `verified: ${r.donated.count} donations (${r.donated.sum} SAT) in the campaign's raised and escrow, ` +
        `${r.posted.count} baseline postings (${r.posted.sum} SAT); ledger and escrow checks clean`,
    );
    console.log(`ratio=${r.ratio.toFixed(2)}`);
  } finally {
    await pools.end();
    await postgres.stop();
  }
}
