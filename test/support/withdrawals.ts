import { expect } from 'vitest';
import { checkLedger } from '../../src/accounting/queries.ts';
import { eventually, type TestPlatform } from './platform.ts';

/** Helpers for the bitcoin-withdrawal tests: deposits, invoices at the node simulator, withdrawals, the ledger audit. */
export function withdrawalHelpers(platform: () => TestPlatform) {
  const p = () => platform();
  const sat = (n: number) => ({ amount: String(n), currency: 'SAT' });
  return {
    sat,
    async deposit(customer: string, amount: number) {
      const response = await p().api.call('POST', `/accounts/${customer}/deposits`, { as: customer, body: { amount: sat(amount) } });
      expect(response.status).toBe(201);
      return response.body;
    },
    account: async (customer: string) => (await p().api.call('GET', `/accounts/${customer}`, { as: customer })).body,
    async invoice(amountSats: number, memo?: string, expirySeconds?: number): Promise<{ invoice: string; paymentHash: string }> {
      const response = await fetch(`${p().simulators.urls.lightning}/invoices`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ amountSats, ...(memo === undefined ? {} : { memo }), ...(expirySeconds ? { expirySeconds } : {}) }),
      });
      expect(response.status).toBe(201);
      return (await response.json()) as { invoice: string; paymentHash: string };
    },
    withdraw: (customer: string, amount: number, invoice: string, headers: Record<string, string> = {}) =>
      p().api.call('POST', '/withdrawals', { as: customer, body: { accountId: customer, amount: sat(amount), invoice }, headers }),
    /** Waits for the saga to close and returns the withdrawal as the API shows it then. */
    async finished(customer: string, withdrawalId: string, timeoutMs = 30_000) {
      await eventually(
        () => p().api.call('GET', `/sagas/bitcoin-withdrawal-${withdrawalId}`, { as: customer }),
        (r) => r.status === 200 && r.body.status !== 'running',
        timeoutMs,
      );
      return (await p().api.call('GET', `/withdrawals/${withdrawalId}`, { as: customer })).body;
    },
    /** The node's record of a payment, or undefined if it never paid this hash. */
    async paymentAtNode(paymentHash: string): Promise<{ status: string; withdrawalId: string } | undefined> {
      const response = await fetch(`${p().simulators.urls.lightning}/payments/${paymentHash}`);
      if (response.status === 404) return undefined;
      return (await response.json()) as { status: string; withdrawalId: string };
    },
    kindsFor: async (customer: string) =>
      ((await p().api.call('GET', `/customers/${customer}/notifications`, { as: customer })).body.notifications as { kind: string }[]).map(
        (n) => n.kind,
      ),
    /** The books balance: every posting sums to zero, every account row agrees with its entries and held reservations. */
    async expectLedgerBalanced() {
      expect(await checkLedger(p().db.pools.read)).toEqual({ unbalancedPostings: [], driftingAccounts: [], misreservedAccounts: [] });
      const { rows } = await p().db.pools.read.query('SELECT count(*)::int AS n FROM accounts WHERE reserved_minor > balance_minor');
      expect(rows[0].n).toBe(0);
    },
  };
}
