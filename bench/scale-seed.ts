/**
 * Set-based seeding for `npm run bench -- scale`: customers (users, SAT accounts and a
 * balanced deposit posting each), auctions with ten bids each, and each auction's
 * history in the event store, as one `INSERT … SELECT generate_series` per table, into
 * the real schema with every index in place (the point is to measure those indexes).
 *
 * Everything is keyed by a number: customer n is a uuid made from `md5('customer-n')`, auction
 * a from `md5('auction-a')`, so the bench can name any row without reading it back.
 * Rows agree with each other the way the platform writes them: an auction's version is
 * its newest event's, its price and leader are its highest bid's, so the real bid path
 * (versioned UPDATE, event appended at version + 1) works on seeded auctions.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';

export const BIDS_PER_AUCTION = 10;
/** AuctionCreated, then one BidPlaced per bid. */
export const EVENTS_PER_AUCTION = 1 + BIDS_PER_AUCTION;
/** Starting price 1.00; bid k (1-based) is (k + 1).00, so the seeded current price is 11.00. */
const START_MINOR = 100;

/** The uuid `uid` below makes in SQL, in JS. */
export function seededId(kind: 'customer' | 'auction', n: number): string {
  const md5 = createHash('md5').update(`${kind}-${n}`).digest('hex');
  const hex = `${md5.slice(0, 12)}4${md5.slice(13, 16)}8${md5.slice(17)}`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** One auction in ten is open (ends tomorrow); the rest ended yesterday, won by their leader. */
export const isOpen = (auction: number): boolean => auction % 10 === 0;

/**
 * The seller of auction `a` among `customers` customers (the count when it was seeded).
 * Mirrors the SQL below.
 */
export const sellerOf = (auction: number, customers: number): number => (auction * 31 + 17) % customers;

/** A valid version-4 uuid from a seed text: the API checks ids are RFC 9562 uuids. */
const uid = (text: string) => `overlay(overlay(md5(${text}) placing '4' from 13) placing '8' from 17)::uuid`;
const customer = (expr: string) => `${uid(`'customer-' || (${expr})`)}::text`;
const bidder = (a: string, k: string) => `((${a}::bigint * ${BIDS_PER_AUCTION} + ${k}) * 7919) % $3`;

/**
 * Seeds customers and auctions numbered [from, to); bidders and sellers are drawn from
 * the first `customers` customers (which must be seeded by then: `to` of the same call
 * or earlier). Returns the seconds each table took.
 */
export async function seed(pool: pg.Pool, from: number, to: number, customers: number): Promise<Record<string, number>> {
  const timings: Record<string, number> = {};
  const run = async (table: string, sql: string) => {
    const started = performance.now();
    await pool.query(sql, sql.includes('$3') ? [from, to, customers] : [from, to]);
    timings[table] = (performance.now() - started) / 1000;
  };
  const range = 'generate_series($1::int, $2::int - 1)';

  await run(
    'users',
    `INSERT INTO users (id, username, password_hash, created_at, version)
     SELECT ${uid(`'customer-' || n`)}, 'customer-' || n, '$argon2id$v=19$m=19456,t=2,p=1$c2VlZHNlZWQ$c2VlZHNlZWRzZWVkc2VlZA',
            now() - interval '60 days', 1
     FROM ${range} n`,
  );
  await run(
    'accounts',
    `INSERT INTO accounts (id, owner_id, currency, balance_minor, reserved_minor, created_at, version)
     SELECT ${customer('n')}, ${customer('n')}, 'SAT', 100000, 0, now() - interval '60 days', 1 FROM ${range} n`,
  );
  await run(
    'ledger_postings',
    `INSERT INTO ledger_postings (id, kind, reference, currency, created_at)
     SELECT ${uid(`'deposit-' || n`)}, 'deposit', 'seed-deposit-' || n, 'SAT', now() - interval '60 days' FROM ${range} n`,
  );
  // The customer's credit and the lightning account's debit: each posting sums to zero,
  // which the deferred trigger checks at commit.
  await run(
    'ledger_entries',
    `INSERT INTO ledger_entries (posting_id, account_id, amount_minor)
     SELECT ${uid(`'deposit-' || n`)}, CASE WHEN side = 1 THEN ${customer('n')} ELSE 'external:lightning' END,
            CASE WHEN side = 1 THEN 100000 ELSE -100000 END
     FROM ${range} n, generate_series(1, 2) side`,
  );
  await run(
    'auctions',
    `INSERT INTO auctions (id, seller_id, title, currency, starting_price_minor, current_price_minor, leader_id, bid_count,
                           ends_at, fulfilment, status, winner_id, created_at, version)
     SELECT ${uid(`'auction-' || a`)}, ${customer('(a::bigint * 31 + 17) % $3')}, 'Lot ' || a, 'USD', ${START_MINOR},
            ${START_MINOR * (BIDS_PER_AUCTION + 1)}, ${customer(bidder('a', String(BIDS_PER_AUCTION)))}, ${BIDS_PER_AUCTION},
            CASE WHEN a % 10 = 0 THEN now() + interval '1 day' + a * interval '1 second'
                 ELSE now() - interval '1 day' - a * interval '1 second' END,
            CASE WHEN a % 4 = 0 THEN 'service' ELSE 'delivery' END,
            CASE WHEN a % 10 = 0 THEN 'open' ELSE 'ended' END,
            CASE WHEN a % 10 = 0 THEN NULL ELSE ${customer(bidder('a', String(BIDS_PER_AUCTION)))} END,
            now() - interval '3 days', ${EVENTS_PER_AUCTION}
     FROM ${range} a`,
  );
  await run(
    'bids',
    `INSERT INTO bids (id, auction_id, bidder_id, amount_minor, placed_at)
     SELECT ${uid(`'bid-' || a || '-' || k`)}, ${uid(`'auction-' || a`)}, ${customer(bidder('a', 'k'))},
            ${START_MINOR} * (k + 1), now() - interval '3 days' + k * interval '1 minute'
     FROM ${range} a, generate_series(1, ${BIDS_PER_AUCTION}) k`,
  );
  await run(
    'event_store',
    `INSERT INTO event_store (event_id, aggregate_type, aggregate_id, aggregate_version, event_type, payload, created_at)
     SELECT ${uid(`'event-' || a || '-' || v`)}, 'Auction', ${uid(`'auction-' || a`)}::text, v,
            CASE WHEN v = 1 THEN 'AuctionCreated' ELSE 'BidPlaced' END,
            CASE WHEN v = 1 THEN jsonb_build_object(
                   'sellerId', ${customer('(a::bigint * 31 + 17) % $3')}, 'title', 'Lot ' || a,
                   'startingPrice', jsonb_build_object('amount', '1.00', 'currency', 'USD'),
                   'endsAt', now() + interval '1 day', 'fulfilment', 'delivery')
                 ELSE jsonb_build_object(
                   'bidId', ${uid(`'bid-' || a || '-' || (v - 1)`)}, 'bidderId', ${customer(bidder('a', '(v - 1)'))},
                   'amount', jsonb_build_object('amount', v || '.00', 'currency', 'USD'),
                   'placedAt', now() - interval '3 days' + (v - 1) * interval '1 minute',
                   'sellerId', ${customer('(a::bigint * 31 + 17) % $3')}, 'title', 'Lot ' || a)
            END,
            now() - interval '3 days'
     FROM ${range} a, generate_series(1, ${EVENTS_PER_AUCTION}) v`,
  );
  // Vacuumed, analysed and checkpointed, as autovacuum and the checkpointer would leave
  // tables this size soon after: the plans are then the ones production gets (not ones
  // made for an empty table), and no background vacuum or flush of the seed's writes
  // runs during the measurement.
  const started = performance.now();
  await pool.query('VACUUM (ANALYZE)');
  await pool.query('CHECKPOINT');
  timings.vacuum = (performance.now() - started) / 1000;
  return timings;
}

export async function rowCounts(pool: pg.Pool): Promise<Record<string, number>> {
  const tables = ['auctions', 'bids', 'event_store', 'users', 'accounts', 'ledger_entries', 'outbox'];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    counts[table] = Number(rows[0]!.n);
  }
  return counts;
}
