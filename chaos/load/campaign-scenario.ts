import { pollUntil, sleep, type ScenarioContext } from './scenario-context.ts';

const sat = (n: number) => ({ amount: String(n), currency: 'SAT' });
const CLOSED = ['succeeded', 'failed', 'cancelled'];

/**
 * An owner opens a campaign that ends in seconds; a few customers fund their accounts,
 * pass some SAT to each other and donate, some right around the end (409 then, and
 * nothing moves); now and then the owner cancels midway. The goal is drawn so that some
 * campaigns meet it and some miss. The scenario waits until the saga has paid the owner
 * or refunded every donor, so the escrow is empty at quiescence.
 */
export async function campaignScenario(ctx: ScenarioContext): Promise<void> {
  const { client, random } = ctx;
  const owner = random.pick(ctx.customers);
  const donors = Array.from({ length: random.int(1, 5) }, () => random.pick(ctx.customers)).filter((d) => d !== owner);
  const endsInMs = random.int(3_000, 12_000);
  const goal = random.int(500, 6_000);
  const opened = await client.call(owner, 'POST', '/campaigns', {
    body: { title: `chaos campaign ${random.int(1, 1_000_000)}`, goal: sat(goal), endsAt: new Date(Date.now() + endsInMs).toISOString() },
    accept: [201],
  });
  if (opened.status !== 201) return;
  const campaignId = opened.body.id as string;
  ctx.made({ kind: 'saga', id: `campaign-${campaignId}`, parties: [owner] });
  const startedAt = Date.now();

  const cancelling = random.percent(15);
  await Promise.all([
    ...donors.map(async (donor) => {
      ctx.made({ kind: 'account', id: donor, parties: [donor] });
      await client.call(donor, 'POST', `/accounts/${donor}/deposits`, { body: { amount: sat(random.int(500, 3_000)) }, accept: [201] });
      if (random.percent(30)) {
        const to = random.pick(ctx.customers);
        const moved = await client.call(donor, 'POST', '/transfers', {
          body: { fromAccountId: donor, toAccountId: to, amount: sat(random.int(1, 200)) },
          accept: [201, 400, 404, 422],
        });
        ctx.count(`transfer:${moved.status}`);
      }
      await sleep(random.int(0, endsInMs + 1_000)); // some land after the end
      const donated = await client.call(donor, 'POST', `/campaigns/${campaignId}/donations`, {
        body: { amount: sat(random.int(100, 2_000)) },
        accept: [201, 409, 422],
      });
      ctx.count(`donation:${donated.status}`);
    }),
    (async () => {
      if (!cancelling) return;
      await sleep(random.int(0, endsInMs));
      const cancelled = await client.call(owner, 'POST', `/campaigns/${campaignId}/cancel`, { accept: [202, 409] });
      ctx.count(`campaign:cancel-${cancelled.status}`);
    })(),
  ]);

  const closed = await pollUntil(
    () => client.call(undefined, 'GET', `/campaigns/${campaignId}`, { accept: [200] }),
    (c) => CLOSED.includes(c.body?.status) && c.body?.escrow?.amount === '0',
    Math.max(0, startedAt + endsInMs - Date.now()) + 60_000,
    500,
  );
  ctx.count(`campaign:${closed.body?.status ?? 'unknown'}${closed.body?.escrow?.amount === '0' ? '' : '-escrow-not-empty'}`);
}
