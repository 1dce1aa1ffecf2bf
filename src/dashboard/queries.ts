import { getAccount, listTransfersOf, type AccountView, type TransferView } from '../accounting/queries.ts';
import { listBidsOfCustomer } from '../auctions/queries.ts';
import { listDepositInvoicesOf } from '../bitcoin/deposit-invoice-store.ts';
import { depositInvoiceView, type DepositInvoiceView } from '../bitcoin/deposit-invoice-view.ts';
import { listWithdrawalsOfCustomer, type WithdrawalView } from '../bitcoin/queries.ts';
import { listCampaignsOwnedBy, listDonationsBy, type CampaignView, type DonationView } from '../crowdfunding/queries.ts';
import { Money, type Currency, type MoneyJson } from '../kernel/money.ts';
import { listPaymentsOfCustomer, type PaymentView } from '../payments/queries.ts';
import { listPayoutsOfSeller, type PayoutView } from '../payouts/queries.ts';
import type { Sql } from '../platform/db/pools.ts';
import { listDeliveriesOfCustomer, listServicesOfCustomer, type DeliveryView, type ServiceView } from '../fulfilment/queries.ts';

export interface WonAuctionView {
  id: string;
  title: string;
  status: string;
  price: MoneyJson;
  sellerId: string;
  endsAt: string;
  paymentId?: string;
}

export interface DashboardView {
  customerId: string;
  account: AccountView;
  balance: MoneyJson;
  reserved: MoneyJson;
  available: MoneyJson;
  withdrawals: WithdrawalView[];
  bids: Awaited<ReturnType<typeof listBidsOfCustomer>>;
  wonAuctions: WonAuctionView[];
  payments: PaymentView[];
  deliveries: DeliveryView[];
  vouchers: ServiceView[];
  campaigns: { owned: CampaignView[]; donatedTo: DonationView[] };
  deposits: DepositInvoiceView[];
  transfers: TransferView[];
  payouts: PayoutView[];
}

/**
 * One customer's view across contexts, read from the read-only pool: each context's
 * own read model, side by side (no write transaction, no joins across contexts' rows
 * beyond what each query does for itself).
 */
export async function getDashboard(read: Sql, customerId: string, now: Date): Promise<DashboardView> {
  const [account, withdrawals, bids, wonAuctions, payments, deliveries, vouchers, owned, donatedTo, deposits, transfers, payouts] =
    await Promise.all([
      getAccount(read, customerId) as Promise<AccountView>,
      listWithdrawalsOfCustomer(read, customerId),
      listBidsOfCustomer(read, customerId),
      listWonAuctions(read, customerId),
      listPaymentsOfCustomer(read, customerId),
      listDeliveriesOfCustomer(read, customerId),
      listServicesOfCustomer(read, customerId),
      listCampaignsOwnedBy(read, customerId),
      listDonationsBy(read, customerId),
      listDepositInvoicesOf(read, customerId).then((records) => records.map((record) => depositInvoiceView(record, now))),
      listTransfersOf(read, customerId),
      listPayoutsOfSeller(read, customerId),
    ]);
  return {
    customerId,
    account,
    balance: account.balance,
    reserved: account.reserved,
    available: account.available,
    withdrawals,
    bids,
    wonAuctions,
    payments,
    deliveries,
    vouchers,
    campaigns: { owned, donatedTo },
    deposits,
    transfers,
    payouts,
  };
}

async function listWonAuctions(read: Sql, customerId: string): Promise<WonAuctionView[]> {
  const { rows } = await read.query(
    `SELECT id, title, status, currency, current_price_minor, seller_id, ends_at, payment_id
     FROM auctions WHERE winner_id = $1 ORDER BY ends_at DESC LIMIT 200`,
    [customerId],
  );
  return rows.map((row) => ({
    id: row.id,
    title: row.title,
    status: row.status,
    price: Money.fromMinorUnits(BigInt(row.current_price_minor), row.currency as Currency).toJSON(),
    sellerId: row.seller_id,
    endsAt: row.ends_at.toISOString(),
    ...(row.payment_id ? { paymentId: row.payment_id } : {}),
  }));
}
