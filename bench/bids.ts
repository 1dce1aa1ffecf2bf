/**
 * Bids per second with N concurrent bidders on one hot auction, through the `placeBid`
 * use case (unit of work, versioned write, retry on conflict, events, outbox), against
 * the same number of raw versioned `UPDATE`s through `pg` on one row, also retried on
 * conflict, in the same run. Every bid asks a price above any before it, so the only
 * refusals are lost races; both sides count completed attempts.
 */
import { createPools } from '../src/platform/db/pools.ts';
import { createAuction, placeBid } from '../src/auctions/use-cases.ts';
import { systemClock } from '../src/kernel/clock.ts';
import { Money } from '../src/kernel/money.ts';
import { benchPostgres, compare, throughput } from './support.ts';

/** `BIDDERS=n npm run bench -- bids` to see how contention changes the picture. */
const BIDDERS = Number(process.env.BIDDERS ?? 8);
const BIDS = 1000;

export async function run(): Promise<void> {
  console.log(`bids: ${BIDS} bids per round by ${BIDDERS} concurrent bidders on one auction`);
  const postgres = await benchPostgres();
  const pools = createPools(postgres.url, { max: BIDDERS, applicationName: 'bench' });
  const pool = pools.write;
  try {
    await pool.query('CREATE TABLE hot_row (id int PRIMARY KEY, price bigint NOT NULL, version int NOT NULL)');
    await pool.query('INSERT INTO hot_row VALUES (1, 0, 0)');
    let cents = 100;
    const deps = { pool, clock: systemClock };

    const throughUseCase = async () => {
      const { auctionId } = await createAuction(deps, {
        sellerId: 'bench-seller',
        title: 'Hot auction',
        startingPrice: Money.of('0.01', 'USD'),
        endsAt: new Date(Date.now() + 3_600_000),
        fulfilment: 'delivery',
      });
      return throughput(BIDS, BIDDERS, async (bidder) => {
        const amount = Money.fromMinorUnits(BigInt(++cents), 'USD');
        await placeBid(deps, { auctionId, bidderId: `bidder-${bidder}`, amount }).catch((error: { kind?: string }) => {
          if (error.kind !== 'business_rule' && error.kind !== 'conflict') throw error; // overtaken by a higher bid
        });
      });
    };

    const rawUpdates = () =>
      throughput(BIDS, BIDDERS, async () => {
        const price = ++cents;
        for (let attempt = 0; attempt < 20; attempt++) {
          // Prepared, like the platform's own statements, so the comparison is about work, not parsing.
          const { rows } = await pool.query({ name: 'raw.read', text: 'SELECT price, version FROM hot_row WHERE id = 1' });
          if (Number(rows[0].price) >= price) return; // overtaken, like a refused bid
          const { rowCount } = await pool.query({
            name: 'raw.update',
            text: 'UPDATE hot_row SET price = $1, version = version + 1 WHERE id = 1 AND version = $2',
            values: [price, rows[0].version],
          });
          if (rowCount === 1) return;
        }
      });

    await throughUseCase();
    await rawUpdates();
    const result = await compare({ ours: throughUseCase, baseline: rawUpdates });
    console.log(`placeBid use case: ${result.ours.toFixed(0)} bids/s`);
    console.log(`raw versioned UPDATEs: ${result.baseline.toFixed(0)} updates/s`);
    console.log(`ratio=${result.ratio.toFixed(2)}`);
  } finally {
    await pools.end();
    await postgres.stop();
  }
}
