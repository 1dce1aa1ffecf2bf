import { z } from 'zod';
import { callJson, doneUnlessTooLate, joinUrl } from '../platform/http/json-client.ts';
import type { CarrierShipmentStatus } from './delivery.ts';

/**
 * The carrier as the fulfilment context sees it. Booking is idempotent per delivery id,
 * so a retried activity gets the same tracking number back; parcel events arrive as
 * webhooks.
 */
export interface Carrier {
  bookShipment(request: { deliveryId: string; address: string }): Promise<{ trackingNumber: string }>;
  /** Books the parcel's way back to the seller; idempotent per delivery id, like the outbound booking. */
  bookReturn(request: { deliveryId: string; address: string }): Promise<{ trackingNumber: string }>;
  /** Cancels a booking not yet shipped. `false` when it is too late (the parcel is under way). */
  cancelShipment(trackingNumber: string): Promise<boolean>;
  /** Where the parcel is as far as the carrier knows: the truth a deadline is checked against. */
  shipmentStatus(trackingNumber: string): Promise<CarrierShipmentStatus>;
}

const BookingAnswer = z.object({ trackingNumber: z.string().min(1) });
const ShipmentAnswer = z.object({ status: z.enum(['booked', 'shipped', 'delivered', 'returned', 'lost', 'cancelled']) });

/** The carrier over HTTP (the simulator's API). Non-2xx answers throw `HttpCallError`. */
export class HttpCarrier implements Carrier {
  constructor(private readonly baseUrl: string) {}

  bookShipment(request: { deliveryId: string; address: string }): Promise<{ trackingNumber: string }> {
    return this.book({ ...request, direction: 'outbound' });
  }

  bookReturn(request: { deliveryId: string; address: string }): Promise<{ trackingNumber: string }> {
    return this.book({ ...request, direction: 'return' });
  }

  cancelShipment(trackingNumber: string): Promise<boolean> {
    return doneUnlessTooLate({
      method: 'POST',
      url: joinUrl(this.baseUrl, `/shipments/${encodeURIComponent(trackingNumber)}/cancel`),
      body: {},
      what: 'carrier POST /shipments/:trackingNumber/cancel',
    });
  }

  private async book(request: { deliveryId: string; address: string; direction: 'outbound' | 'return' }) {
    const { trackingNumber } = await callJson({
      method: 'POST',
      url: joinUrl(this.baseUrl, '/shipments'),
      body: request,
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
