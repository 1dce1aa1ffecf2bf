/**
 * Read throughput and latency of `GET /auctions/:id` and `GET /customers/:id/dashboard`
 * through the real app (createApp with every route, over HTTP), against a bare Hono app
 * over a raw `pg` pool issuing the same SQL (the auction read model's one query; the
 * dashboard's twelve, side by side) and answering the same JSON, behind the same check
 * of the same bearer token, in the same run.
 * Both are served by @hono/node-server on this machine and loaded by the same client
 * (CONCURRENCY loops of fetch); both pools have the same size and are read-only.
 * The data is seeded through the use cases: auctions with bid histories, some ended,
 * paid, delivered or issued as vouchers, sellers' payouts, and customers with deposits,
 * deposit invoices, withdrawals, transfers, campaigns and donations. Before timing,
 * every seeded auction and dashboard is read from both and must be the same JSON, so a
 * query that changes in src/ without the baseline fails here instead of skewing it.
 */
import { isDeepStrictEqual } from 'node:util';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { jwtVerify } from 'jose';
import pg from 'pg';
import { deposit } from '../src/accounting/use-cases.ts';
import { transferFunds } from '../src/accounting/transfers.ts';
import { attachFulfilment, attachPayment, createAuction, endAuction, markAuctionPaid, placeBid } from '../src/auctions/use-cases.ts';
import { issueDepositInvoice } from '../src/bitcoin/issue-deposit-invoice.ts';
import type { LightningNode } from '../src/bitcoin/lightning-node.ts';
import { requestWithdrawal } from '../src/bitcoin/use-cases.ts';
import { donate, openCampaign } from '../src/crowdfunding/use-cases.ts';
import { createDelivery, issueVoucher } from '../src/fulfilment/use-cases.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { Money, type Currency } from '../src/kernel/money.ts';
import { ROUTES } from '../src/main/routes.ts';
import { applyProviderEvent, startPayment } from '../src/payments/use-cases.ts';
import { schedulePayout } from '../src/payouts/use-cases.ts';
import { loadConfig } from '../src/platform/config/config.ts';
import { runInUnitOfWork } from '../src/platform/db/unit-of-work.ts';
import { createPools, type Pools } from '../src/platform/db/pools.ts';
import { createApp } from '../src/platform/http/app.ts';
import { issueToken } from '../src/platform/http/auth.ts';
import { silentLogger } from '../src/platform/log.ts';
import type { WorkflowGateway } from '../src/platform/temporal/workflow-gateway.ts';
import { generateNodeKey, issueInvoice } from '../src/simulators/bolt11-invoices.ts';
import { benchPostgres, compare, median, throughput } from './support.ts';

/** `READS=n CONCURRENCY=n npm run bench -- reads` to change round size and client concurrency. */
const READS = Number(process.env.READS ?? 3000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);
const ROUNDS = 3;
/** Connections per pool, each side: the platform's default. */
const POOL_SIZE = 10;

export interface ReadsOptions {
  /** Auctions seeded; a fifth of them are ended and paid. */
  auctions: number;
  /** Customers whose dashboards are read; they sell, bid, win, deposit, withdraw, transfer, donate. */
  customers: number;
  /** Requests per measured round, per read and side. */
  reads: number;
  concurrency: number;
  rounds: number;
  poolSize: number;
}

export interface SideFigures {
  /** Median requests/s of the measured rounds. */
  rate: number;
  p50Ms: number;
  p99Ms: number;
}

export type ReadName = 'auction' | 'dashboard';

export interface ReadsResult {
  reads: Record<ReadName, { platform: SideFigures; baseline: SideFigures; ratio: number }>;
  /** The worst of the reads' ratios. */
  ratio: number;
  /** What was seeded and compared equal on both sides before timing. */
  seeded: { auctions: number; bids: number; customers: number; dashboardRows: number };
  /** Requests answered 200 with a body, per side, warm-up included; anything else throws. */
  answered: { platform: number; baseline: number };
}

/** The read routes never start, signal or query a saga; a call here is a bug in the bench. */
const NO_WORKFLOWS = new Proxy({} as WorkflowGateway, {
  get: (_, name) => () => Promise.reject(new Error(`the reads bench has no Temporal (WorkflowGateway.${String(name)})`)),
});

export async function measureReads(databaseUrl: string, options: ReadsOptions): Promise<ReadsResult> {
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: 'bench-reads', LOG_LEVEL: 'warn' });
  const pools = createPools(databaseUrl, { max: options.poolSize, applicationName: 'bench-reads' });
  // The same size and the same read-only sessions as the platform's read pool.
  const raw = new pg.Pool({
    connectionString: databaseUrl,
    max: options.poolSize,
    application_name: 'bench-reads:raw',
    options: '-c default_transaction_read_only=on',
  });
  raw.on('error', () => {});
  const app = createApp({ config, pools, workflows: NO_WORKFLOWS, clock: systemClock, logger: silentLogger }, ROUTES);
  const bare = bareApp(raw, config.AUTH_SECRET);
  const platform = await listen(app.fetch);
  const baseline = await listen(bare.fetch);
  try {
    const seed = await seedReads(pools, options);
    const tokens = new Map(await Promise.all(seed.customers.map(async (c) => [c, await issueToken(config.AUTH_SECRET, c)] as const)));
    const paths: Record<ReadName, { path: string; token?: string }[]> = {
      auction: seed.auctions.map((id) => ({ path: `/auctions/${id}` })),
      dashboard: seed.customers.map((c) => ({ path: `/customers/${c}/dashboard`, token: tokens.get(c) })),
    };
    const answered = { platform: 0, baseline: 0 };
    const get = async (side: 'platform' | 'baseline', { path, token }: { path: string; token?: string }) => {
      const response = await fetch(`${(side === 'platform' ? platform : baseline).url}${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      const text = await response.text();
      if (response.status !== 200 || text.length === 0)
        throw new Error(`${side} GET ${path} answered ${response.status}: ${text.slice(0, 300)}`);
      answered[side]++;
      return text;
    };

    // Both sides must answer the same for every seeded read before anything is timed.
    let dashboardRows = 0;
    for (const read of ['auction', 'dashboard'] as const) {
      for (const target of paths[read]) {
        const ours = JSON.parse(await get('platform', target));
        const theirs = JSON.parse(await get('baseline', target));
        if (!isDeepStrictEqual(ours, theirs)) {
          throw new Error(
            `reads bench: GET ${target.path} differs\n  platform: ${JSON.stringify(ours)}\n  baseline: ${JSON.stringify(theirs)}`,
          );
        }
        if (read === 'dashboard') dashboardRows += countRows(ours);
      }
    }

    let measuring = false;
    const latencies = new Map<string, number[]>();
    const load = (read: ReadName, side: 'platform' | 'baseline', total: number) => {
      const key = `${read}:${side}`;
      let n = 0;
      return throughput(total, options.concurrency, async () => {
        const target = paths[read][n++ % paths[read].length]!;
        const started = performance.now();
        await get(side, target);
        if (measuring) (latencies.get(key) ?? latencies.set(key, []).get(key)!).push(performance.now() - started);
      });
    };

    const reads = {} as ReadsResult['reads'];
    for (const read of ['auction', 'dashboard'] as const) {
      // Warm-up: JIT, connections, the server's caches and the client's sockets.
      const warmUp = Math.max(options.concurrency * 4, Math.ceil(options.reads / 4));
      await load(read, 'platform', warmUp);
      await load(read, 'baseline', warmUp);
      measuring = true;
      const result = await compare(
        { ours: () => load(read, 'platform', options.reads), baseline: () => load(read, 'baseline', options.reads) },
        options.rounds,
      );
      measuring = false;
      reads[read] = {
        platform: { rate: result.ours, ...percentiles(latencies.get(`${read}:platform`) ?? []) },
        baseline: { rate: result.baseline, ...percentiles(latencies.get(`${read}:baseline`) ?? []) },
        ratio: result.ratio,
      };
    }
    return {
      reads,
      ratio: Math.min(reads.auction.ratio, reads.dashboard.ratio),
      seeded: { auctions: seed.auctions.length, bids: seed.bids, customers: seed.customers.length, dashboardRows },
      answered,
    };
  } finally {
    await platform.close();
    await baseline.close();
    await raw.end();
    await pools.end();
  }
}

async function listen(fetchHandler: (request: Request) => Response | Promise<Response>) {
  const server = serve({ fetch: fetchHandler, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Rows of every list in a dashboard: a measure of how much each one carries. */
function countRows(dashboard: Record<string, unknown>): number {
  let rows = 0;
  for (const value of Object.values(dashboard)) {
    if (Array.isArray(value)) rows += value.length;
    else if (value && typeof value === 'object') for (const inner of Object.values(value)) if (Array.isArray(inner)) rows += inner.length;
  }
  return rows;
}

function percentiles(values: number[]): { p50Ms: number; p99Ms: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
  return { p50Ms: median(sorted), p99Ms: at(0.99) };
}

/**
 * Realistic rows through the use cases. Customers c0…cN sell auctions and bid on
 * everyone's (with outside bidders), win some (paid, then delivered or issued a voucher;
 * their sellers get a scheduled payout), hold SAT with deposits, deposit invoices (open and
 * expired), pending withdrawals and transfers, and own and donate to campaigns.
 */
async function seedReads(pools: Pools, options: ReadsOptions) {
  const pool = pools.write;
  const deps = { pool, clock: systemClock };
  const tag = crypto.randomUUID().slice(0, 8);
  const customers = Array.from({ length: options.customers }, (_, i) => `reads-${tag}-c${i}`);
  const outsiders = Array.from({ length: options.customers * 2 }, (_, i) => `reads-${tag}-o${i}`);
  const bidders = [...customers, ...outsiders];
  const nodeKey = generateNodeKey();
  /** Our node's invoices, made in-process: seeding needs no simulator, only invoices that decode. */
  const issue = async (request: { amountSats: number; memo?: string; expirySeconds?: number }) => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const issued = await issueInvoice({
      nodeKey,
      amountSats: request.amountSats,
      memo: request.memo ?? '',
      nowSeconds,
      expirySeconds: request.expirySeconds,
    });
    return { invoice: issued.invoice, paymentHash: issued.paymentHash, expiresAt: new Date(issued.expiresAt * 1000) };
  };
  const nodeIssuing = (expirySeconds?: number): LightningNode => ({
    createInvoice: (request) => issue({ ...request, expirySeconds: expirySeconds ?? request.expirySeconds }),
    payInvoice: () => Promise.reject(new Error('the reads bench pays nothing')),
    paymentStatus: () => Promise.reject(new Error('the reads bench pays nothing')),
  });
  const inParallel = async <T>(items: T[], work: (item: T, index: number) => Promise<void>, width = 6) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < items.length) {
          const i = next++;
          await work(items[i]!, i);
        }
      }),
    );
  };

  const auctions: string[] = [];
  let bids = 0;
  await inParallel(
    Array.from({ length: options.auctions }, (_, i) => i),
    async (i) => {
      const sellerId = i % 4 === 0 ? customers[i % customers.length]! : `reads-${tag}-seller${i % 7}`;
      const currency: Currency = i % 5 === 0 ? 'EUR' : 'USD';
      const fulfilment = i % 3 === 0 ? 'service' : 'delivery';
      const { auctionId } = await createAuction(deps, {
        sellerId,
        title: `Lot ${i}: ${fulfilment === 'service' ? 'a weekend course' : 'a framed print'}`,
        startingPrice: Money.of('10.00', currency),
        endsAt: new Date(Date.now() + (1 + (i % 48)) * 3_600_000),
        fulfilment,
      });
      auctions.push(auctionId);
      const count = 5 + ((i * 7) % 16);
      let price = 1000n + BigInt(i % 13) * 100n;
      for (let b = 0; b < count; b++) {
        const bidderId = bidders[(i * 3 + b * 5) % bidders.length]!;
        if (bidderId === sellerId) continue;
        price += 50n + BigInt((b * 31) % 400);
        await placeBid(deps, { auctionId, bidderId, amount: Money.fromMinorUnits(price, currency) });
        bids++;
      }
      if (i % 5 !== 1) return;
      // A fifth are won and paid, as the paying saga leaves them, then fulfilled.
      const ended = await endAuction(deps, auctionId);
      if (!ended.winnerId) return;
      const { paymentId } = await startPayment(pool, {
        auctionId,
        payerId: ended.winnerId,
        payeeId: ended.sellerId,
        amount: ended.winningBid!,
        title: ended.title,
        payableUntil: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      });
      await attachPayment(deps, auctionId, paymentId);
      await runInUnitOfWork(pool, (uow) =>
        applyProviderEvent(uow, { type: 'captured', paymentId, providerChargeId: `reads-charge-${auctionId}` }),
      );
      await markAuctionPaid(deps, auctionId);
      const parties = { auctionId, buyerId: ended.winnerId, sellerId: ended.sellerId, paymentId, title: ended.title };
      const fulfilmentId = crypto.randomUUID();
      if (ended.fulfilment === 'delivery') await createDelivery(pool, { ...parties, deliveryId: fulfilmentId });
      else await issueVoucher(pool, { ...parties, serviceId: fulfilmentId });
      await attachFulfilment(deps, auctionId, ended.fulfilment, fulfilmentId);
      await schedulePayout(pool, {
        auctionId,
        sellerId: ended.sellerId,
        title: ended.title,
        gross: Money.fromJSON(ended.winningBid!),
        feeBasisPoints: 500,
        payableAt: new Date(Date.now() + 86_400_000),
      });
    },
  );

  const campaignOf = new Map<string, string>();
  await inParallel(customers, async (customerId, i) => {
    for (let d = 0; d < 3; d++)
      await deposit(pool, { accountId: customerId, customerId, amount: Money.of(String(200_000 + d * 1000 + i), 'SAT') });
    await issueDepositInvoice({ pool, node: nodeIssuing() }, { customerId, accountId: customerId, amount: Money.of('5000', 'SAT') });
    const { campaignId } = await openCampaign(deps, {
      campaignId: crypto.randomUUID(),
      ownerId: customerId,
      title: `Campaign of ${customerId}`,
      description: 'A community garden for the block',
      goal: Money.of('1000000', 'SAT'),
      endsAt: new Date(Date.now() + 7 * 86_400_000),
    });
    campaignOf.set(customerId, campaignId);
    for (let w = 0; w < 2; w++) {
      const issued = await issue({ amountSats: 1000 + w * 100 + i, memo: `withdrawal ${w}` });
      await requestWithdrawal(deps, {
        customerId,
        accountId: customerId,
        amount: Money.of(String(1000 + w * 100 + i), 'SAT'),
        invoice: issued.invoice,
      });
    }
  });
  // An invoice left past its expiry reads `expired` at the time of the request, on both sides alike.
  await Promise.all(
    customers.map((customerId) =>
      issueDepositInvoice(
        { pool, node: nodeIssuing(1) },
        {
          customerId,
          accountId: customerId,
          amount: Money.of('2500', 'SAT'),
        },
      ),
    ),
  );
  // Read only once they have expired: read in their last second, one side could see them
  // open and the other expired (the short bench failed so once).
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  // Up to three others each: never oneself, however few customers there are.
  const others = Math.min(3, customers.length - 1);
  for (const [i, customerId] of customers.entries()) {
    for (let t = 1; t <= others; t++) {
      await transferFunds(pool, {
        transferId: crypto.randomUUID(),
        customerId,
        fromAccountId: customerId,
        toAccountId: customers[(i + t) % customers.length]!,
        amount: Money.of(String(100 * t + i), 'SAT'),
      });
    }
    for (let d = 1; d <= others; d++) {
      await donate(deps, {
        campaignId: campaignOf.get(customers[(i + d) % customers.length]!)!,
        donorId: customerId,
        donationId: crypto.randomUUID(),
        amount: Money.of(String(50 * d + i), 'SAT'),
      });
    }
  }
  return { auctions, bids, customers };
}

// ---- the baseline: bare Hono, raw pg, the same SQL, the same JSON ----

const AUCTION = `SELECT id, title, seller_id, status, currency, starting_price_minor, current_price_minor, ends_at, fulfilment,
  bid_count, leader_id, winner_id, payment_id, delivery_id, service_id, created_at, version FROM auctions WHERE id = $1`;

/** The dashboard's twelve queries, as src/*\/queries.ts issue them. */
const DASHBOARD = {
  account: `SELECT balance_minor, reserved_minor, version FROM accounts WHERE id = $1`,
  withdrawals: `SELECT id, account_id, customer_id, status, amount_minor, payment_hash, invoice, invoice_expires_at, reason,
  created_at, updated_at, version FROM withdrawals WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 200`,
  bids: `SELECT b.id, b.auction_id, b.bidder_id, b.amount_minor, b.placed_at, a.currency, a.title, a.status,
            (a.leader_id = b.bidder_id AND a.current_price_minor = b.amount_minor) AS is_leading
     FROM bids b JOIN auctions a ON a.id = b.auction_id WHERE b.bidder_id = $1 ORDER BY b.placed_at DESC LIMIT 200`,
  wonAuctions: `SELECT id, title, status, currency, current_price_minor, seller_id, ends_at, payment_id
     FROM auctions WHERE winner_id = $1 ORDER BY ends_at DESC LIMIT 200`,
  payments: `SELECT id, auction_id, payer_id, payee_id, currency, amount_minor, title, status, attempts, provider_charge_id,
  refunded_minor, payable_until, created_at, version
  FROM payments WHERE payer_id = $1 OR payee_id = $1 ORDER BY created_at DESC LIMIT 200`,
  deliveries: 'SELECT * FROM delivery_transactions WHERE buyer_id = $1 OR seller_id = $1 ORDER BY created_at DESC LIMIT 200',
  vouchers: 'SELECT * FROM service_transactions WHERE buyer_id = $1 OR seller_id = $1 ORDER BY created_at DESC LIMIT 200',
  owned: `SELECT c.id, c.owner_id, c.title, c.description, c.status, c.goal_minor, c.raised_minor, c.escrow_minor, c.ends_at,
  c.closed_at, c.created_at, c.version, (SELECT count(DISTINCT d.donor_id) FROM donations d WHERE d.campaign_id = c.id)::int AS donors
  FROM campaigns c WHERE c.owner_id = $1 ORDER BY c.created_at DESC LIMIT 200`,
  donatedTo: `SELECT d.id, d.campaign_id, c.title, c.status AS campaign_status, d.amount_minor, d.status, d.created_at
     FROM donations d JOIN campaigns c ON c.id = d.campaign_id WHERE d.donor_id = $1 ORDER BY d.created_at DESC LIMIT 200`,
  deposits: `SELECT id, account_id, customer_id, payment_hash, amount_minor, received_minor, invoice, expires_at, status, paid_at,
  posting_id, created_at FROM deposit_invoices WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 200`,
  transfers: `SELECT p.id, p.created_at, src.account_id AS from_id, dst.account_id AS to_id, dst.amount_minor
     FROM ledger_postings p
     JOIN ledger_entries src ON src.posting_id = p.id AND src.amount_minor < 0
     JOIN ledger_entries dst ON dst.posting_id = p.id AND dst.amount_minor > 0
     WHERE p.kind = 'transfer' AND p.id IN (SELECT posting_id FROM ledger_entries WHERE account_id = $1)
     ORDER BY p.created_at DESC LIMIT 200`,
  payouts: 'SELECT * FROM payouts WHERE seller_id = $1 ORDER BY created_at DESC, id LIMIT 200',
} as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
type Row = Record<string, any>;
const money = (minor: string | bigint, currency: string) => Money.fromMinorUnits(BigInt(minor), currency as Currency).toJSON();
const sat = (minor: string | bigint) => money(minor, 'SAT');
const iso = (at: Date | null) => (at ? at.toISOString() : null);

/** The least a hand-written service would do: check the token and the id, run the SQL, shape the rows. */
function bareApp(pool: pg.Pool, secret: string): Hono {
  const key = new TextEncoder().encode(secret);
  const app = new Hono();
  app.get('/auctions/:id', async (c) => {
    const id = c.req.param('id');
    if (!UUID.test(id)) return c.json({ title: 'Invalid request' }, 400);
    const { rows } = await pool.query(AUCTION, [id]);
    const r = rows[0];
    if (!r) return c.json({ title: 'Not found' }, 404);
    return c.json({
      id: r.id,
      title: r.title,
      sellerId: r.seller_id,
      status: r.status,
      startingPrice: money(r.starting_price_minor, r.currency),
      currentPrice: money(r.current_price_minor, r.currency),
      endsAt: r.ends_at.toISOString(),
      fulfilment: r.fulfilment,
      bidCount: r.bid_count,
      leaderId: r.leader_id,
      winnerId: r.winner_id,
      ...(r.payment_id ? { paymentId: r.payment_id } : {}),
      ...(r.delivery_id ? { deliveryId: r.delivery_id } : {}),
      ...(r.service_id ? { serviceId: r.service_id } : {}),
      createdAt: r.created_at.toISOString(),
      version: r.version,
    });
  });
  app.get('/customers/:id/dashboard', async (c) => {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    let subject: string | undefined;
    try {
      subject = match?.[1]
        ? (await jwtVerify(match[1], key, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] })).payload.sub
        : undefined;
    } catch {
      subject = undefined;
    }
    if (!subject) return c.json({ title: 'Unauthorized' }, 401);
    const id = c.req.param('id');
    if (id !== subject) return c.json({ title: 'Forbidden' }, 403);
    const q = (text: string) => pool.query(text, [id]).then((result) => result.rows as Row[]);
    const [account, withdrawals, bids, won, payments, deliveries, vouchers, owned, donatedTo, deposits, transfers, payouts] =
      await Promise.all(Object.values(DASHBOARD).map(q));
    const now = new Date();
    const a = account![0];
    const balance = BigInt(a?.balance_minor ?? 0);
    const reserved = BigInt(a?.reserved_minor ?? 0);
    const sums = { balance: sat(balance), reserved: sat(reserved), available: sat(balance - reserved) };
    return c.json({
      customerId: id,
      account: { id, ...sums, version: a?.version ?? 0 },
      ...sums,
      withdrawals: withdrawals!.map((r) => ({
        id: r.id,
        accountId: r.account_id,
        customerId: r.customer_id,
        status: r.status,
        amount: sat(r.amount_minor),
        paymentHash: r.payment_hash,
        invoice: r.invoice,
        invoiceExpiresAt: r.invoice_expires_at.toISOString(),
        reason: r.reason,
        workflowId: `bitcoin-withdrawal-${r.id}`,
        createdAt: r.created_at.toISOString(),
        updatedAt: r.updated_at.toISOString(),
        version: r.version,
      })),
      bids: bids!.map((r) => ({
        id: r.id,
        auctionId: r.auction_id,
        bidderId: r.bidder_id,
        amount: money(r.amount_minor, r.currency),
        placedAt: r.placed_at.toISOString(),
        auctionTitle: r.title,
        auctionStatus: r.status,
        isLeading: r.is_leading,
      })),
      wonAuctions: won!.map((r) => ({
        id: r.id,
        title: r.title,
        status: r.status,
        price: money(r.current_price_minor, r.currency),
        sellerId: r.seller_id,
        endsAt: r.ends_at.toISOString(),
        ...(r.payment_id ? { paymentId: r.payment_id } : {}),
      })),
      payments: payments!.map((r) => ({
        id: r.id,
        auctionId: r.auction_id,
        payerId: r.payer_id,
        payeeId: r.payee_id,
        amount: money(r.amount_minor, r.currency),
        title: r.title,
        status: r.status,
        attempts: r.attempts,
        providerChargeId: r.provider_charge_id,
        refunded: money(r.refunded_minor, r.currency),
        payableUntil: r.payable_until.toISOString(),
        createdAt: r.created_at.toISOString(),
        version: r.version,
      })),
      deliveries: deliveries!.map((r) => ({
        id: r.id,
        auctionId: r.auction_id,
        buyerId: r.buyer_id,
        sellerId: r.seller_id,
        paymentId: r.payment_id,
        title: r.title,
        status: r.status,
        trackingNumber: r.tracking_number,
        returnTrackingNumber: r.return_tracking_number,
        reason: r.reason,
        address: r.address,
        missedDeadlines: r.missed_deadlines,
        createdAt: r.created_at.toISOString(),
        version: r.version,
      })),
      vouchers: vouchers!.map((r) => ({
        id: r.id,
        auctionId: r.auction_id,
        buyerId: r.buyer_id,
        sellerId: r.seller_id,
        paymentId: r.payment_id,
        title: r.title,
        status: r.status,
        ...(id === r.buyer_id ? { code: r.code } : {}),
        createdAt: r.created_at.toISOString(),
        version: r.version,
      })),
      campaigns: {
        owned: owned!.map((r) => ({
          id: r.id,
          ownerId: r.owner_id,
          title: r.title,
          description: r.description,
          status: r.status,
          goal: sat(r.goal_minor),
          raised: sat(r.raised_minor),
          escrow: sat(r.escrow_minor),
          donors: r.donors,
          endsAt: r.ends_at.toISOString(),
          closedAt: iso(r.closed_at),
          createdAt: r.created_at.toISOString(),
          workflowId: `campaign-${r.id}`,
          version: r.version,
        })),
        donatedTo: donatedTo!.map((r) => ({
          id: r.id,
          campaignId: r.campaign_id,
          campaignTitle: r.title,
          campaignStatus: r.campaign_status,
          amount: sat(r.amount_minor),
          status: r.status,
          createdAt: r.created_at.toISOString(),
        })),
      },
      deposits: deposits!.map((r) => ({
        id: r.id,
        accountId: r.account_id,
        invoice: r.invoice,
        paymentHash: r.payment_hash,
        expiresAt: r.expires_at.toISOString(),
        amount: sat(r.amount_minor),
        status: r.status === 'paid' ? 'paid' : r.expires_at.getTime() <= now.getTime() ? 'expired' : 'open',
        received: r.received_minor === null ? null : sat(r.received_minor),
        paidAt: iso(r.paid_at),
        createdAt: r.created_at.toISOString(),
      })),
      transfers: transfers!.map((r) => ({
        id: r.id,
        fromAccountId: r.from_id,
        toAccountId: r.to_id,
        amount: sat(r.amount_minor),
        createdAt: r.created_at.toISOString(),
      })),
      payouts: payouts!.map((r) => ({
        id: r.id,
        auctionId: r.auction_id,
        title: r.title,
        gross: money(r.gross_minor, r.currency),
        fee: money(r.fee_minor, r.currency),
        net: money(r.net_minor, r.currency),
        status: r.status,
        payableAt: r.payable_at.toISOString(),
        paidAt: iso(r.paid_at),
        createdAt: r.created_at.toISOString(),
      })),
    });
  });
  return app;
}

export async function run(): Promise<void> {
  console.log(
    `reads: GET /auctions/:id and GET /customers/:id/dashboard, ${READS} requests per round by ${CONCURRENCY} concurrent clients, ` +
      `${ROUNDS} alternating rounds per side, through the app vs bare Hono over raw pg with the same SQL (pools of ${POOL_SIZE})`,
  );
  const postgres = await benchPostgres();
  try {
    const r = await measureReads(postgres.url, {
      auctions: 200,
      customers: 12,
      reads: READS,
      concurrency: CONCURRENCY,
      rounds: ROUNDS,
      poolSize: POOL_SIZE,
    });
    console.log(
      `seeded: ${r.seeded.auctions} auctions with ${r.seeded.bids} bids, ${r.seeded.customers} dashboards of ${r.seeded.dashboardRows} rows in all; ` +
        `every one read the same on both sides`,
    );
    const ms = (x: number) => x.toFixed(1);
    const line = (label: string, f: SideFigures) =>
      `${label}: ${f.rate.toFixed(0)} requests/s (p50 ${ms(f.p50Ms)} ms, p99 ${ms(f.p99Ms)} ms)`;
    for (const read of ['auction', 'dashboard'] as const) {
      const path = read === 'auction' ? 'GET /auctions/:id' : 'GET /customers/:id/dashboard';
      console.log(line(`${path}, app`, r.reads[read].platform));
      console.log(line(`${path}, bare Hono + raw pg`, r.reads[read].baseline));
      console.log(`${read}: ratio=${r.reads[read].ratio.toFixed(2)}`);
    }
    console.log(`ratio=${r.ratio.toFixed(2)}`);
  } finally {
    await postgres.stop();
  }
}
