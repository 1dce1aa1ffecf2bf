/**
 * The Campaign aggregate (src/crowdfunding/domain.ts), all or nothing:
 *
 *     open ──close, raised ≥ goal──► succeeded ──releaseEscrow──► (escrow 0, donations released)
 *      │ └──close, raised < goal───► failed    ──refund each────► (escrow 0, donations refunded)
 *      └──cancel (owner)───────────► cancelled ──refund each────► (escrow 0, donations refunded)
 *
 * - open() refuses a goal of zero or not in SAT, an `endsAt` not in the future, an empty or
 *   long title, naming each field (400).
 * - donate() only while open (409 CampaignClosed), never by the owner (422), more than zero
 *   SAT; it returns the posting from the donor to the escrow and records DonationReceived;
 *   the donation that reaches the goal also records CampaignGoalReached, once.
 * - close() decides by raised vs goal, once; a repeat answers the status and records nothing.
 * - refund() a held donation once (a repeat answers undefined), only when failed or cancelled;
 *   releaseEscrow() the whole escrow in one posting, once, only when succeeded.
 * - A refusal changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { Campaign, CampaignClosed, escrowAccountOf, type CampaignStatus } from '../../src/crowdfunding/domain.ts';
import { BusinessRuleViolation, Conflict, Forbidden, InvalidInput } from '../../src/kernel/errors.ts';
import { Money } from '../../src/kernel/money.ts';
import { expectNoChange as expectNoChangeOf, expectRefusedUnchanged, type DomainErrorClass } from '../support/aggregate-expectations.ts';

const sat = (n: number) => Money.fromMinorUnits(BigInt(n), 'SAT');
const satJson = (n: number) => ({ amount: String(n), currency: 'SAT' as const });
const NOW = new Date('2026-11-30T12:00:00Z');
const LATER = new Date('2026-12-01T12:00:00Z');
const OWNER = 'owner-1';
const ID = '00000000-0000-4000-8000-000000000001';
const ESCROW = escrowAccountOf(ID);
const GOAL = 1000;

function opened(): Campaign {
  const campaign = Campaign.open({ id: ID, ownerId: OWNER, title: 'Bees', goal: sat(GOAL), endsAt: LATER, now: NOW });
  campaign.markPersisted();
  return campaign;
}

/** An open campaign with ann's 400 and bob's `bob` SAT donated, persisted. */
function withDonations(bob = 300): Campaign {
  const campaign = opened();
  campaign.donate({ donationId: 'd-ann', donorId: 'ann', amount: sat(400) });
  campaign.donate({ donationId: 'd-bob', donorId: 'bob', amount: sat(bob) });
  campaign.markPersisted();
  return campaign;
}

function closedAs(status: Exclude<CampaignStatus, 'open'>): Campaign {
  const campaign = withDonations(status === 'succeeded' ? 600 : 300);
  if (status === 'cancelled') campaign.cancel(OWNER, NOW);
  else expect(campaign.close(LATER)).toBe(status);
  campaign.markPersisted();
  return campaign;
}

function snapshot(campaign: Campaign) {
  const changes = campaign.unsavedChanges();
  return {
    version: campaign.version,
    status: campaign.state.status,
    raised: campaign.state.raised.toString(),
    escrow: campaign.state.escrow.toString(),
    newDonations: changes.newDonations.map((d) => d.id),
    changedDonations: changes.changedDonations.map((d) => d.status),
    postings: changes.postings.map((p) => p.id),
    releasedAll: changes.releasedAll,
  };
}
const expectNoChange = (campaign: Campaign, act: () => unknown) => expectNoChangeOf(campaign, snapshot, act);
const expectRefused = (campaign: Campaign, act: () => unknown, error: DomainErrorClass) =>
  expectRefusedUnchanged(campaign, snapshot, act, error);

describe('Campaign.open', () => {
  it('opens with nothing raised, recording CampaignOpened', () => {
    const campaign = Campaign.open({ id: ID, ownerId: OWNER, title: ' Bees ', goal: sat(GOAL), endsAt: LATER, now: NOW });
    expect(campaign.state).toMatchObject({ status: 'open', title: 'Bees', raised: sat(0), escrow: sat(0) });
    expect(campaign.pendingEvents).toEqual([
      { type: 'CampaignOpened', ownerId: OWNER, title: 'Bees', goal: satJson(GOAL), endsAt: LATER.toISOString() },
    ]);
  });

  it.each([
    [{ goal: sat(0) }, 'goal.amount'],
    [{ goal: Money.of('5.00', 'USD') }, 'goal.currency'],
    [{ endsAt: NOW }, 'endsAt'],
    [{ title: '   ' }, 'title'],
    [{ title: 'x'.repeat(201) }, 'title'],
    [{ description: 'x'.repeat(5_001) }, 'description'],
  ])('refuses %o, naming %s', (override, path) => {
    let error: unknown;
    try {
      Campaign.open({ id: ID, ownerId: OWNER, title: 'Bees', goal: sat(GOAL), endsAt: LATER, now: NOW, ...override });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidInput);
    expect((error as InvalidInput).errors.map((e) => e.path)).toContain(path);
  });
});

describe('Campaign.donate', () => {
  it('moves the amount from the donor to the escrow and records DonationReceived', () => {
    const campaign = opened();
    const posting = campaign.donate({ donationId: 'd-1', donorId: 'ann', amount: sat(250) });
    expect(posting).toEqual({
      id: 'd-1',
      kind: 'donation',
      reference: 'd-1',
      entries: [
        { accountId: 'ann', amount: -250n },
        { accountId: ESCROW, amount: 250n },
      ],
    });
    expect(campaign.pendingEvents).toEqual([
      {
        type: 'DonationReceived',
        ownerId: OWNER,
        title: 'Bees',
        donationId: 'd-1',
        donorId: 'ann',
        amount: satJson(250),
        raised: satJson(250),
      },
    ]);
    expect(snapshot(campaign)).toMatchObject({ raised: '250 SAT', escrow: '250 SAT', newDonations: ['d-1'], postings: ['d-1'] });
    expect(campaign.hasDonation('d-1')).toBe(true);
  });

  it('records CampaignGoalReached with the donation that reaches the goal, and only that one', () => {
    const campaign = withDonations(); // 700 of 1000
    campaign.donate({ donationId: 'd-3', donorId: 'cat', amount: sat(300) });
    expect(campaign.pendingEvents.map((e) => e.type)).toEqual(['DonationReceived', 'CampaignGoalReached']);
    campaign.markPersisted();
    campaign.donate({ donationId: 'd-4', donorId: 'cat', amount: sat(1) });
    expect(campaign.pendingEvents.map((e) => e.type)).toEqual(['DonationReceived']);
  });

  it('refuses the owner (422), zero and other currencies (400), changing nothing', () => {
    const campaign = withDonations();
    expectRefused(campaign, () => campaign.donate({ donationId: 'x', donorId: OWNER, amount: sat(1) }), BusinessRuleViolation);
    expectRefused(campaign, () => campaign.donate({ donationId: 'x', donorId: 'ann', amount: sat(0) }), InvalidInput);
    expectRefused(campaign, () => campaign.donate({ donationId: 'x', donorId: 'ann', amount: Money.of('1.00', 'EUR') }), InvalidInput);
  });

  it.each(['succeeded', 'failed', 'cancelled'] as const)('refuses every donation once %s (409), changing nothing', (status) => {
    const campaign = closedAs(status);
    expectRefused(campaign, () => campaign.donate({ donationId: 'x', donorId: 'cat', amount: sat(1) }), CampaignClosed);
  });
});

describe('Campaign.close and cancel', () => {
  it('succeeds when raised reaches the goal (exactly), recording CampaignSucceeded', () => {
    const campaign = withDonations(600);
    expect(campaign.close(LATER)).toBe('succeeded');
    expect(campaign.pendingEvents).toEqual([
      { type: 'CampaignSucceeded', ownerId: OWNER, title: 'Bees', goal: satJson(GOAL), raised: satJson(1000) },
    ]);
  });

  it('fails below the goal, recording CampaignFailed', () => {
    const campaign = withDonations(599);
    expect(campaign.close(LATER)).toBe('failed');
    expect(campaign.pendingEvents.map((e) => e.type)).toEqual(['CampaignFailed']);
  });

  it.each(['succeeded', 'failed', 'cancelled'] as const)('closing again once %s answers the status and changes nothing', (status) => {
    const campaign = closedAs(status);
    expectNoChange(campaign, () => expect(campaign.close(LATER)).toBe(status));
  });

  it('is cancelled by its owner only (403), and only while open (409)', () => {
    const campaign = withDonations();
    expectRefused(campaign, () => campaign.cancel('ann', NOW), Forbidden);
    campaign.cancel(OWNER, NOW);
    expect(campaign.pendingEvents).toEqual([
      { type: 'CampaignCancelled', ownerId: OWNER, title: 'Bees', raised: satJson(700), endsAt: LATER.toISOString() },
    ]);
    campaign.markPersisted();
    expectRefused(campaign, () => campaign.cancel(OWNER, NOW), CampaignClosed);
  });
});

describe('Campaign.refund and releaseEscrow', () => {
  const loaded = (status: 'failed' | 'cancelled' | 'succeeded') => {
    const closed = closedAs(status);
    // As the repository loads it for one refund: the campaign with that donation.
    return Campaign.restore(ID, closed.version, { ...closed.state }, [{ id: 'd-ann', donorId: 'ann', amount: sat(400), status: 'held' }]);
  };

  it.each(['failed', 'cancelled'] as const)('gives a held donation back to its donor once when %s', (status) => {
    const campaign = loaded(status);
    const posting = campaign.refund('d-ann', 'refund-1');
    expect(posting?.entries).toEqual([
      { accountId: ESCROW, amount: -400n },
      { accountId: 'ann', amount: 400n },
    ]);
    expect(posting).toMatchObject({ kind: 'donation-refund', reference: 'd-ann' });
    expect(campaign.pendingEvents).toEqual([
      {
        type: 'DonationRefunded',
        ownerId: OWNER,
        title: 'Bees',
        donationId: 'd-ann',
        donorId: 'ann',
        amount: satJson(400),
        reason: status,
      },
    ]);
    expect(snapshot(campaign)).toMatchObject({ escrow: `${700 - 400} SAT`, changedDonations: ['refunded'] });
    campaign.markPersisted();
    expectNoChange(campaign, () => expect(campaign.refund('d-ann', 'refund-1')).toBeUndefined());
  });

  it('refunds nothing while open or once succeeded (409)', () => {
    const open = withDonations();
    expectRefused(open, () => open.refund('d-ann', 'refund-1'), Conflict);
    const succeeded = loaded('succeeded');
    expectRefused(succeeded, () => succeeded.refund('d-ann', 'refund-1'), Conflict);
  });

  it('releases the whole escrow to the owner in one posting once succeeded, then nothing more', () => {
    const campaign = closedAs('succeeded');
    const posting = campaign.releaseEscrow('release-1');
    expect(posting).toMatchObject({ kind: 'escrow-release', reference: ID });
    expect(posting?.entries).toEqual([
      { accountId: ESCROW, amount: -1000n },
      { accountId: OWNER, amount: 1000n },
    ]);
    expect(snapshot(campaign)).toMatchObject({ escrow: '0 SAT', releasedAll: true });
    campaign.markPersisted();
    expectNoChange(campaign, () => expect(campaign.releaseEscrow('release-1')).toBeUndefined());
  });

  it.each(['failed', 'cancelled'] as const)('releases nothing to the owner when %s (409)', (status) => {
    const campaign = closedAs(status);
    expectRefused(campaign, () => campaign.releaseEscrow('release-1'), Conflict);
  });
});
