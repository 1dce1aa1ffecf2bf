import { outsideGet, outsidePost, pollUntil, sleep, type ScenarioContext } from './scenario-context.ts';

const sat = (n: number) => ({ amount: String(n), currency: 'SAT' });
const FINAL = ['paid', 'rejected', 'failed'];

/**
 * A customer funds the account with a test deposit, then withdraws to invoices of the
 * node simulator, several at once over the one balance (some must be rejected), to
 * invoices that succeed, fail, hang until they expire, or are held until the outside
 * world settles or cancels them.
 */
export async function withdrawalScenario(ctx: ScenarioContext): Promise<void> {
  const { client, random } = ctx;
  const customer = random.pick(ctx.customers);
  ctx.made({ kind: 'account', id: customer, parties: [customer] });
  ctx.made({ kind: 'customer', id: customer, parties: [customer] });
  const deposit = random.int(1_000, 30_000);
  await client.call(customer, 'POST', `/accounts/${customer}/deposits`, { body: { amount: sat(deposit) }, accept: [201] });
  ctx.count('deposit:test');

  const count = random.int(1, 3);
  await Promise.all(
    Array.from({ length: count }, async () => {
      const amount = random.int(100, Math.max(100, Math.floor(deposit * 0.7)));
      const invoiceKind = random.weighted({ succeeds: 50, fail: 15, hang: 15, hold: 20 });
      const invoice = await outsidePost(`${ctx.outside.lightning}/invoices`, {
        amountSats: amount,
        ...(invoiceKind === 'succeeds' ? {} : { memo: invoiceKind }),
        ...(invoiceKind === 'hang' ? { expirySeconds: random.int(5, 15) } : {}),
      });
      if (invoice.status !== 201) throw new Error(`the node refused an invoice: ${invoice.status} ${JSON.stringify(invoice.body)}`);
      const asked = await client.call(customer, 'POST', '/withdrawals', {
        body: { accountId: customer, amount: sat(amount), invoice: invoice.body.invoice },
        accept: [202, 422],
      });
      if (asked.status !== 202) {
        ctx.count('withdrawal:refused-at-once');
        return;
      }
      const withdrawalId = asked.body.id as string;
      ctx.made({ kind: 'withdrawal', id: withdrawalId, parties: [customer] });
      ctx.made({ kind: 'saga', id: `bitcoin-withdrawal-${withdrawalId}`, parties: [customer] });
      let outcome: string = invoiceKind;
      if (invoiceKind === 'hold') outcome = `hold-${await decideHeldPayment(ctx, invoice.body.paymentHash as string)}`;
      const final = await pollUntil(
        () => client.call(customer, 'GET', `/withdrawals/${withdrawalId}`, { accept: [200] }),
        (w) => FINAL.includes(w.body?.status),
        60_000,
        500,
      );
      ctx.count(`withdrawal:${outcome}:${final.body?.status ?? 'unknown'}`);
    }),
  );
}

/** Plays the payee's node deciding a held payment: settle most of the time, cancel otherwise. */
async function decideHeldPayment(ctx: ScenarioContext, paymentHash: string): Promise<string> {
  const atNode = await pollUntil(
    () => outsideGet(`${ctx.outside.lightning}/payments/${paymentHash}`),
    (r) => r.status === 200,
    30_000,
  );
  if (atNode.status !== 200) return 'never-arrived';
  await sleep(ctx.random.int(500, 6_000));
  const decision = ctx.random.percent(70) ? 'settle' : 'cancel';
  await outsidePost(`${ctx.outside.lightning}/payments/${paymentHash}/${decision}`);
  return decision;
}
