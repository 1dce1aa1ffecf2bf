import type { Client } from '@temporalio/client';
import type { Sql } from '../../src/platform/db/pools.ts';

/**
 * Where the money invariants look: our books, through the read-only pool, and the outside
 * world's own records, through the simulators' listings. Money is checked against both
 * because either side alone can be consistently wrong.
 */
export interface MoneyWorld {
  read: Sql;
  paymentsUrl: string;
  lightningUrl: string;
  /** PLATFORM_FEE in basis points (750 for 7.5%): what a payout's fee must be of its gross. */
  feeBasisPoints: number;
}

/**
 * Everything the invariant rows read at quiescence: the money world, plus Temporal, where
 * the sagas that explain each aggregate's state run. `taskQueue` names our sagas among
 * whatever else shares the namespace.
 */
export interface InvariantWorld extends MoneyWorld {
  temporal: Client;
  taskQueue: string;
}
