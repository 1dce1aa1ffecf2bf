import type { CustomerClient } from '../customer-client.ts';
import type { Random } from '../random.ts';
import { auctionScenario } from './auction-scenario.ts';
import { campaignScenario } from './campaign-scenario.ts';
import type { MadeResource, ScenarioContext } from './scenario-context.ts';
import { withdrawalScenario } from './withdrawal-scenario.ts';

const SCENARIOS = { auction: auctionScenario, withdrawals: withdrawalScenario, campaigns: campaignScenario } as const;
/** Auctions touch more of the platform (payments, fulfilment, e-mails), so they run more often. */
const WEIGHTS = { auction: 3, withdrawals: 2, campaigns: 2 } as const;

export interface LoadResult {
  customers: string[];
  resources: MadeResource[];
  scenarios: Record<string, number>;
  outcomes: Record<string, number>;
  /** Scenarios that threw: a step the platform made impossible, with the error. */
  crashed: string[];
}

/**
 * N customers, each running one scenario after another until `until`; a scenario under
 * way when the time is up runs to its end, so nothing is left half done by the load
 * itself. Each customer has its own random stream (forked from the run's seed).
 */
export async function runCustomers(options: {
  count: number;
  until: number;
  client: CustomerClient;
  random: Random;
  outside: ScenarioContext['outside'];
  log: (line: string) => void;
}): Promise<LoadResult> {
  const customers = Array.from({ length: options.count }, (_, i) => `chaos-customer-${options.random.seed}-${i + 1}`);
  const result: LoadResult = { customers, resources: [], scenarios: {}, outcomes: {}, crashed: [] };
  const bump = (map: Record<string, number>, key: string) => (map[key] = (map[key] ?? 0) + 1);
  await Promise.all(
    customers.map(async () => {
      const random = options.random.fork();
      const ctx: ScenarioContext = {
        client: options.client,
        random,
        customers,
        outside: options.outside,
        made: (resource) => result.resources.push(resource),
        count: (outcome) => bump(result.outcomes, outcome),
      };
      while (Date.now() < options.until) {
        const name = random.weighted(WEIGHTS);
        bump(result.scenarios, name);
        try {
          await SCENARIOS[name](ctx);
        } catch (error) {
          result.crashed.push(`${name}: ${(error as Error).stack ?? error}`);
          options.log(`scenario ${name} broke off: ${(error as Error).message}`);
        }
      }
    }),
  );
  return result;
}
