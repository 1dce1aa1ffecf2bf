import { ACCOUNT_CURRENCY, transfer, type Posting } from '../accounting/domain.ts';
import { Aggregate } from '../kernel/aggregate.ts';
import { BusinessRuleViolation, Conflict, Forbidden, InvalidInput, NotFound } from '../kernel/errors.ts';
import { Money, type MoneyJson } from '../kernel/money.ts';

/**
 * Crowdfunding (seed 003), all or nothing: donations move SAT from donors into the
 * campaign's escrow; at `endsAt` the escrow goes to the owner if the goal was met, or
 * every donation back to its donor if not (or if the owner cancelled). Each donation is
 * refunded or released exactly once; the escrow then holds nothing.
 *
 * Invariant: escrow = the sum of held donations; raised = escrow + refunded + released.
 */
export type CampaignStatus = 'open' | 'succeeded' | 'failed' | 'cancelled';
export type DonationStatus = 'held' | 'refunded' | 'released';

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 5_000;

/** The ledger account that holds a campaign's donations until it ends. */
export const escrowAccountOf = (campaignId: string) => `escrow:campaign:${campaignId}`;

export interface Donation {
  id: string;
  donorId: string;
  amount: Money;
  status: DonationStatus;
}

export interface CampaignState {
  ownerId: string;
  title: string;
  description: string;
  goal: Money;
  raised: Money;
  escrow: Money;
  status: CampaignStatus;
  endsAt: Date;
  closedAt?: Date;
}

export type CampaignEvent =
  | { type: 'CampaignOpened'; ownerId: string; title: string; goal: MoneyJson; endsAt: string }
  | { type: 'DonationReceived'; ownerId: string; title: string; donationId: string; donorId: string; amount: MoneyJson; raised: MoneyJson }
  | { type: 'CampaignGoalReached'; ownerId: string; title: string; goal: MoneyJson; raised: MoneyJson }
  | { type: 'CampaignSucceeded'; ownerId: string; title: string; goal: MoneyJson; raised: MoneyJson }
  | { type: 'CampaignFailed'; ownerId: string; title: string; goal: MoneyJson; raised: MoneyJson }
  | { type: 'CampaignCancelled'; ownerId: string; title: string; raised: MoneyJson; endsAt: string }
  | {
      type: 'DonationRefunded';
      ownerId: string;
      title: string;
      donationId: string;
      donorId: string;
      amount: MoneyJson;
      reason: CampaignStatus;
    }
  | { type: 'EscrowReleased'; ownerId: string; title: string; postingId: string; amount: MoneyJson };

/** The campaign is not open any more (409): a donation after the end moves nothing. */
export class CampaignClosed extends Conflict {}

export class Campaign extends Aggregate<CampaignEvent> {
  readonly #donations = new Map<string, Donation>();
  readonly #newDonations = new Set<string>();
  readonly #changedDonations = new Set<string>();
  #newPostings: Posting[] = [];
  #releasedAll = false;

  private constructor(
    id: string,
    version: number,
    private readonly current: CampaignState,
  ) {
    super(id, version);
  }

  /** Opens a campaign; `now` is when it is asked for, so an `endsAt` in the past is refused. */
  static open(input: { id: string; ownerId: string; title: string; description?: string; goal: Money; endsAt: Date; now: Date }): Campaign {
    const errors = [];
    const title = input.title.trim();
    if (title.length === 0 || title.length > TITLE_MAX) errors.push({ path: 'title', message: `must be 1–${TITLE_MAX} characters` });
    if ((input.description ?? '').length > DESCRIPTION_MAX)
      errors.push({ path: 'description', message: `must be at most ${DESCRIPTION_MAX} characters` });
    if (input.goal.currency !== ACCOUNT_CURRENCY) errors.push({ path: 'goal.currency', message: `must be ${ACCOUNT_CURRENCY}` });
    else if (input.goal.isZero()) errors.push({ path: 'goal.amount', message: 'must be more than zero' });
    if (!(input.endsAt.getTime() > input.now.getTime())) errors.push({ path: 'endsAt', message: 'must be in the future' });
    if (errors.length > 0) throw new InvalidInput('the campaign is not valid', errors);
    const zero = Money.zero(ACCOUNT_CURRENCY);
    const campaign = new Campaign(input.id, 0, {
      ownerId: input.ownerId,
      title,
      description: input.description ?? '',
      goal: input.goal,
      raised: zero,
      escrow: zero,
      status: 'open',
      endsAt: input.endsAt,
    });
    campaign.record({
      type: 'CampaignOpened',
      ownerId: input.ownerId,
      title,
      goal: input.goal.toJSON(),
      endsAt: input.endsAt.toISOString(),
    });
    return campaign;
  }

  static restore(id: string, version: number, state: CampaignState, donations: Donation[] = []): Campaign {
    const campaign = new Campaign(id, version, state);
    for (const d of donations) campaign.#donations.set(d.id, d);
    return campaign;
  }

  get state(): Readonly<CampaignState> {
    return this.current;
  }

  /** Whether this donation (loaded with the campaign) was taken already: a rerun finds it. */
  hasDonation(donationId: string): boolean {
    return this.#donations.has(donationId);
  }

  get escrowAccountId(): string {
    return escrowAccountOf(this.id);
  }

  /**
   * Takes a donation into escrow: the posting returned moves it from the donor's account,
   * whose side the caller applies. The first donation that reaches the goal says so, once.
   */
  donate(input: { donationId: string; donorId: string; amount: Money }): Posting {
    if (this.current.status !== 'open') throw new CampaignClosed(`campaign ${this.id} is ${this.current.status}; it takes no donations`);
    if (input.donorId === this.current.ownerId) throw new BusinessRuleViolation('you cannot donate to your own campaign');
    if (input.amount.currency !== ACCOUNT_CURRENCY)
      throw new InvalidInput(`donations are in ${ACCOUNT_CURRENCY}`, [{ path: 'amount.currency', message: `must be ${ACCOUNT_CURRENCY}` }]);
    if (input.amount.isZero())
      throw new InvalidInput('a donation must be more than zero', [{ path: 'amount.amount', message: 'must be more than zero' }]);
    const posting = transfer({
      id: input.donationId,
      kind: 'donation',
      reference: input.donationId,
      from: input.donorId,
      to: this.escrowAccountId,
      amount: input.amount,
    });
    const before = this.current.raised;
    this.current.raised = before.add(input.amount);
    this.current.escrow = this.current.escrow.add(input.amount);
    const donation: Donation = { id: input.donationId, donorId: input.donorId, amount: input.amount, status: 'held' };
    this.#donations.set(donation.id, donation);
    this.#newDonations.add(donation.id);
    this.#newPostings.push(posting);
    const { ownerId, title } = this.current;
    this.record({
      type: 'DonationReceived',
      ownerId,
      title,
      donationId: donation.id,
      donorId: donation.donorId,
      amount: input.amount.toJSON(),
      raised: this.current.raised.toJSON(),
    });
    if (before.isLessThan(this.current.goal) && !this.current.raised.isLessThan(this.current.goal)) {
      this.record({ type: 'CampaignGoalReached', ownerId, title, goal: this.current.goal.toJSON(), raised: this.current.raised.toJSON() });
    }
    return posting;
  }

  /** At `endsAt`: succeeded if the goal was met, failed if not. Idempotent: a closed campaign stays as it is. */
  close(now: Date): CampaignStatus {
    if (this.current.status !== 'open') return this.current.status;
    const succeeded = !this.current.raised.isLessThan(this.current.goal);
    this.current.status = succeeded ? 'succeeded' : 'failed';
    this.current.closedAt = now;
    const { ownerId, title } = this.current;
    const figures = { goal: this.current.goal.toJSON(), raised: this.current.raised.toJSON() };
    this.record(
      succeeded ? { type: 'CampaignSucceeded', ownerId, title, ...figures } : { type: 'CampaignFailed', ownerId, title, ...figures },
    );
    return this.current.status;
  }

  /** The owner calls it off while it is open; every donation then goes back. */
  cancel(customerId: string, now: Date): void {
    if (customerId !== this.current.ownerId) throw new Forbidden('only the owner can cancel a campaign');
    if (this.current.status !== 'open')
      throw new CampaignClosed(`campaign ${this.id} is ${this.current.status}; only an open campaign can be cancelled`);
    this.current.status = 'cancelled';
    this.current.closedAt = now;
    this.record({
      type: 'CampaignCancelled',
      ownerId: this.current.ownerId,
      title: this.current.title,
      raised: this.current.raised.toJSON(),
      endsAt: this.current.endsAt.toISOString(),
    });
  }

  /**
   * Gives one held donation back to its donor (failed or cancelled campaigns only): the
   * posting returned credits the donor, whose side the caller applies. `undefined` when it
   * was refunded already, so a retried refund moves nothing.
   */
  refund(donationId: string, postingId: string): Posting | undefined {
    if (this.current.status !== 'failed' && this.current.status !== 'cancelled') {
      throw new Conflict(`campaign ${this.id} is ${this.current.status}; only failed or cancelled campaigns refund`);
    }
    const donation = this.#donations.get(donationId);
    if (!donation) throw new NotFound(`campaign ${this.id} has no donation ${donationId} loaded`);
    if (donation.status === 'refunded') return undefined;
    if (donation.status !== 'held') throw new Conflict(`donation ${donationId} is ${donation.status}`);
    const posting = transfer({
      id: postingId,
      kind: 'donation-refund',
      reference: donationId,
      from: this.escrowAccountId,
      to: donation.donorId,
      amount: donation.amount,
    });
    donation.status = 'refunded';
    this.#changedDonations.add(donationId);
    this.current.escrow = this.current.escrow.subtract(donation.amount);
    this.#newPostings.push(posting);
    const { ownerId, title, status } = this.current;
    this.record({
      type: 'DonationRefunded',
      ownerId,
      title,
      donationId,
      donorId: donation.donorId,
      amount: donation.amount.toJSON(),
      reason: status,
    });
    return posting;
  }

  /**
   * Pays the whole escrow to the owner in one posting (succeeded campaigns only); the
   * posting returned credits the owner, whose side the caller applies. `undefined` when
   * there is nothing left to release, so a retried release moves nothing.
   */
  releaseEscrow(postingId: string): Posting | undefined {
    if (this.current.status !== 'succeeded')
      throw new Conflict(`campaign ${this.id} is ${this.current.status}; only a succeeded campaign pays its owner`);
    if (this.current.escrow.isZero()) return undefined;
    const amount = this.current.escrow;
    const posting = transfer({
      id: postingId,
      kind: 'escrow-release',
      reference: this.id,
      from: this.escrowAccountId,
      to: this.current.ownerId,
      amount,
    });
    this.current.escrow = Money.zero(ACCOUNT_CURRENCY);
    this.#releasedAll = true;
    this.#newPostings.push(posting);
    this.record({ type: 'EscrowReleased', ownerId: this.current.ownerId, title: this.current.title, postingId, amount: amount.toJSON() });
    return posting;
  }

  /** For the repository: what to write besides the row. */
  unsavedChanges(): { newDonations: Donation[]; changedDonations: Donation[]; releasedAll: boolean; postings: Posting[] } {
    const pick = (ids: Iterable<string>) => [...ids].map((id) => this.#donations.get(id)!);
    return {
      newDonations: pick(this.#newDonations),
      changedDonations: pick([...this.#changedDonations].filter((id) => !this.#newDonations.has(id))),
      releasedAll: this.#releasedAll,
      postings: this.#newPostings,
    };
  }

  override markPersisted(): void {
    super.markPersisted();
    this.#newDonations.clear();
    this.#changedDonations.clear();
    this.#newPostings = [];
    this.#releasedAll = false;
  }
}
