import { z } from 'zod';
import { callJson, joinUrl } from '../platform/http/json-client.ts';

/**
 * The carrier as the fulfilment context sees it. Booking is idempotent per delivery id,
 * so a retried activity gets the same tracking number back; parcel events arrive as
 * webhooks.
 */
export interface Carrier {
  bookShipment(request: { deliveryId: string; address: string }): Promise<{ trackingNumber: string }>;
  /** Where the parcel is as far as the carrier knows: the truth a deadline is checked against. */
  shipmentStatus(trackingNumber: string): Promise<CarrierShipmentStatus>;
}

export type CarrierShipmentStatus = 'booked' | 'shipped' | 'delivered' | 'returned' | 'lost';

const BookingAnswer = z.object({ trackingNumber: z.string().min(1) });
const ShipmentAnswer = z.object({ status: z.enum(['booked', 'shipped', 'delivered', 'returned', 'lost']) });

/** The carrier over HTTP (the simulator's API). Non-2xx answers throw `HttpCallError`. */
export class HttpCarrier implements Carrier {
  constructor(private readonly baseUrl: string) {}

  async bookShipment(request: { deliveryId: string; address: string }): Promise<{ trackingNumber: string }> {
    const { trackingNumber } = await callJson({
      method: 'POST',
      url: joinUrl(this.baseUrl, '/shipments'),
      body: { deliveryId: request.deliveryId, address: request.address },
      response: BookingAnswer,
      what: 'carrier POST /shipments',
    });
    return { trackingNumber };
  }

  async shipmentStatus(trackingNumber: string): Promise<CarrierShipmentStatus> {
    const { status } = await callJson({
      method: 'GET',
      url: joinUrl(this.baseUrl, `/shipments/${encodeURIComponent(trackingNumber)}`),
      response: ShipmentAnswer,
      what: 'carrier GET /shipments/:trackingNumber',
    });
    return status;
  }
}
