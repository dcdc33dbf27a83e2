import * as z from '../zod';
import { EntityId } from './id';

/** Lifecycle states of an order as the ERP (system of record) reports them. */
export const OrderStatus = z.enum([
  'pending_review',
  'confirmed',
  'picking',
  'shipped',
  'delivered',
  'cancelled',
  'returned',
]);
export type OrderStatus = z.infer<typeof OrderStatus>;

/** A positive integer that grows with every change of one entity in its system of record. */
export const EntityVersion = z.number().check(z.int(), z.positive());

const IsoInstant = z.iso.datetime({ offset: true });

/** The canonical status of one order at one version. */
export const OrderStatusSnapshot = z.object({
  orderId: EntityId,
  status: OrderStatus,
  version: EntityVersion,
  occurredAt: IsoInstant,
});
export type OrderStatusSnapshot = z.infer<typeof OrderStatusSnapshot>;
