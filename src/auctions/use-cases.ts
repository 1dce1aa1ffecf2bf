import type pg from 'pg';
import type { Clock } from '../kernel/clock.ts';
import { NotFound } from '../kernel/errors.ts';
import { newId } from '../kernel/ids.ts';
import type { Money, MoneyJson } from '../kernel/money.ts';
import { retryOnConflict } from '../platform/db/retry-on-conflict.ts';
import { runInUnitOfWork, type UnitOfWork } from '../platform/db/unit-of-work.ts';
import { Auction, type Fulfilment } from './domain.ts';
import { addAuction, findAuction } from './repository.ts';

export interface AuctionsDeps {
  pool: pg.Pool;
  clock: Clock;
}

/**
 * `auctionId` is set when the request carries an Idempotency-Key (`idFromRequestKey`): a
 * rerun of a create whose first try committed but never answered finds that auction
 * (even once its end has passed) instead of making a second one.
 */
export async function createAuction(
  deps: AuctionsDeps,
  {
    auctionId,
    ...input
  }: { sellerId: string; title: string; startingPrice: Money; endsAt: Date; fulfilment: Fulfilment; auctionId?: string },
): Promise<{ auctionId: string; endsAt: string }> {
  if (auctionId !== undefined) {
    const earlier = await runInUnitOfWork(deps.pool, (uow) => findAuction(uow, auctionId));
    if (earlier) return { auctionId: earlier.id, endsAt: earlier.state.endsAt.toISOString() };
  }
  const auction = Auction.create({ id: auctionId ?? newId(), ...input, now: deps.clock.now() });
  await runInUnitOfWork(deps.pool, async (uow) => addAuction(uow, auction));
  return { auctionId: auction.id, endsAt: auction.state.endsAt.toISOString() };
}

export interface PlacedBid {
  auctionId: string;
  bidderId: string;
  amount: MoneyJson;
  isWinning: boolean;
  currentPrice: MoneyJson;
}

/**
 * Versioned write, retried from a fresh read when another writer won the race; 409 after
 * that. Bids lock the row at the read, since an auction is hot at its end (see findAuction).
 */
export async function placeBid(deps: AuctionsDeps, input: { auctionId: string; bidderId: string; amount: Money }): Promise<PlacedBid> {
  const bidId = newId();
  return retryOnConflict(
    () =>
      withAuction(deps.pool, input.auctionId, { lock: true }, async (auction) => {
        auction.placeBid({ id: bidId, bidderId: input.bidderId, amount: input.amount, now: deps.clock.now() });
        return {
          auctionId: auction.id,
          bidderId: input.bidderId,
          amount: input.amount.toJSON(),
          isWinning: auction.state.leaderId === input.bidderId,
          currentPrice: auction.state.currentPrice.toJSON(),
        };
      }),
    { attempts: 20 },
  );
}

/** The seller ends the auction now (403 for anyone else, 409 when it has ended). */
export async function endAuctionEarly(
  deps: AuctionsDeps,
  input: { auctionId: string; customerId: string },
): Promise<{ winnerId: string | null }> {
  return retryOnConflict(() =>
    withAuction(deps.pool, input.auctionId, async (auction) => {
      auction.assertCanBeEndedBy(input.customerId);
      return auction.end();
    }),
  );
}

export interface EndedAuction {
  auctionId: string;
  winnerId: string | null;
  sellerId: string;
  title: string;
  fulfilment: Fulfilment;
  winningBid: MoneyJson | null;
}

/** Ends the auction if it is still open (the closing timer's step); returns the outcome either way. */
export async function endAuction(deps: AuctionsDeps, auctionId: string): Promise<EndedAuction> {
  return retryOnConflict(() =>
    withAuction(deps.pool, auctionId, async (auction) => {
      const { winnerId } = auction.end();
      const s = auction.state;
      return {
        auctionId,
        winnerId,
        sellerId: s.sellerId,
        title: s.title,
        fulfilment: s.fulfilment,
        winningBid: winnerId ? s.currentPrice.toJSON() : null,
      };
    }),
  );
}

export const attachPayment = (deps: AuctionsDeps, auctionId: string, paymentId: string) =>
  retryOnConflict(() => withAuction(deps.pool, auctionId, async (a) => a.attachPayment(paymentId)));

export const markAuctionPaid = (deps: AuctionsDeps, auctionId: string) =>
  retryOnConflict(() => withAuction(deps.pool, auctionId, async (a) => a.markPaid()));

export const markAuctionUnpaid = (deps: AuctionsDeps, auctionId: string) =>
  retryOnConflict(() => withAuction(deps.pool, auctionId, async (a) => a.markUnpaid()));

export const attachFulfilment = (deps: AuctionsDeps, auctionId: string, kind: Fulfilment, fulfilmentId: string) =>
  retryOnConflict(() => withAuction(deps.pool, auctionId, async (a) => a.attachFulfilment(kind, fulfilmentId)));

export const markAuctionRefunded = (deps: AuctionsDeps, auctionId: string) =>
  retryOnConflict(() => withAuction(deps.pool, auctionId, async (a) => a.markRefunded()));

/** Loads the auction (404 if unknown) and runs `change` in one unit of work. */
async function withAuction<T>(
  pool: pg.Pool,
  auctionId: string,
  ...args:
    | [change: (auction: Auction, uow: UnitOfWork) => Promise<T>]
    | [options: { lock?: boolean }, change: (auction: Auction, uow: UnitOfWork) => Promise<T>]
): Promise<T> {
  const [options, change] = args.length === 1 ? [{}, args[0]] : args;
  return runInUnitOfWork(pool, async (uow) => {
    const auction = await findAuction(uow, auctionId, options);
    if (!auction) throw new NotFound(`no auction ${auctionId}`);
    return change(auction, uow);
  });
}
