import { auctionParties } from '../auctions/queries.ts';
import { registerAccountingRoutes } from '../accounting/routes.ts';
import { registerAuctionRoutes } from '../auctions/routes.ts';
import { auditTrailRoutes } from '../audit/routes.ts';
import { withdrawalParties } from '../bitcoin/queries.ts';
import { registerBitcoinRoutes } from '../bitcoin/routes.ts';
import { campaignParties } from '../crowdfunding/queries.ts';
import { registerCrowdfundingRoutes } from '../crowdfunding/routes.ts';
import { registerDashboardRoutes } from '../dashboard/routes.ts';
import { registerDiagnosticsRoutes } from '../diagnostics/routes.ts';
import { registerHealthRoutes } from '../health/routes.ts';
import { registerIdentityRoutes } from '../identity/routes.ts';
import { registerNotificationRoutes } from '../notifications/routes.ts';
import { paymentParties } from '../payments/queries.ts';
import { registerPaymentRoutes } from '../payments/routes.ts';
import { registerPayoutRoutes } from '../payouts/routes.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { registerSagaRoutes } from '../sagas/routes.ts';
import { deliveryParties, serviceParties } from '../fulfilment/queries.ts';
import { registerFulfilmentRoutes } from '../fulfilment/routes.ts';

/** Every context's routes, in the order they appear in the OpenAPI document. Shared by the Node and Deno entries. */
export const ROUTES: readonly RegisterRoutes[] = [
  registerHealthRoutes,
  registerIdentityRoutes,
  registerAuctionRoutes,
  registerPaymentRoutes,
  registerFulfilmentRoutes,
  registerPayoutRoutes,
  registerAccountingRoutes,
  registerBitcoinRoutes,
  registerCrowdfundingRoutes,
  registerDashboardRoutes,
  registerNotificationRoutes,
  registerSagaRoutes,
  auditTrailRoutes([
    { path: 'auctions', aggregateType: 'Auction', parties: auctionParties },
    { path: 'payments', aggregateType: 'Payment', parties: paymentParties },
    { path: 'deliveries', aggregateType: 'DeliveryTransaction', parties: deliveryParties },
    { path: 'services', aggregateType: 'ServiceTransaction', parties: serviceParties },
    { path: 'withdrawals', aggregateType: 'Withdrawal', parties: withdrawalParties },
    { path: 'campaigns', aggregateType: 'Campaign', parties: campaignParties },
  ]),
  registerDiagnosticsRoutes,
];
