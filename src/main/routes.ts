import { auctionParties } from '../auctions/queries.ts';
import { registerAuctionRoutes } from '../auctions/routes.ts';
import { auditTrailRoutes } from '../audit/routes.ts';
import { registerDiagnosticsRoutes } from '../diagnostics/routes.ts';
import { registerHealthRoutes } from '../health/routes.ts';
import { registerNotificationRoutes } from '../notifications/routes.ts';
import { paymentParties } from '../payments/queries.ts';
import { registerPaymentRoutes } from '../payments/routes.ts';
import type { RegisterRoutes } from '../platform/http/app.ts';
import { registerSagaRoutes } from '../sagas/routes.ts';
import { deliveryParties, serviceParties } from '../shipping/queries.ts';
import { registerShippingRoutes } from '../shipping/routes.ts';

/** Every context's routes, in the order they appear in the OpenAPI document. Shared by the Node and Deno entries. */
export const ROUTES: readonly RegisterRoutes[] = [
  registerHealthRoutes,
  registerAuctionRoutes,
  registerPaymentRoutes,
  registerShippingRoutes,
  registerNotificationRoutes,
  registerSagaRoutes,
  auditTrailRoutes([
    { path: 'auctions', aggregateType: 'Auction', parties: auctionParties },
    { path: 'payments', aggregateType: 'Payment', parties: paymentParties },
    { path: 'deliveries', aggregateType: 'DeliveryTransaction', parties: deliveryParties },
    { path: 'services', aggregateType: 'ServiceTransaction', parties: serviceParties },
  ]),
  registerDiagnosticsRoutes,
];
