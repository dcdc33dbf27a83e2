import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { signDelivery, signShopifyWebhook, signZendeskWebhook } from '../local/sign';

/** The sources a bench can send, each with a delivery that maps to a canonical event. */
export const BENCH_SOURCES = ['erp', 'shopify', 'zendesk'] as const;
export type BenchSource = (typeof BENCH_SOURCES)[number];

export interface SignedDelivery {
  source: BenchSource;
  /** What the delivery is about: the ERP order, the storefront order or the ticket. */
  subject: string;
  body: string;
  headers: Record<string, string>;
}

const fixtureBody = (file: string) => (JSON.parse(readFileSync(path.join(__dirname, '..', 'test', 'fixtures', file), 'utf8')) as { body: Record<string, unknown> }).body;

const STATUSES = ['confirmed', 'picking', 'shipped', 'delivered'] as const;

/**
 * The `n`th new delivery of `source` in run `run`, signed as the sender signs it: an ERP order status
 * change (Standard Webhooks), Shopify's published orders/updated sample with its own `updated_at` (the
 * body is the delivery's identity), Zendesk's ticket status change sample under its own event id. Each
 * is a first delivery, so ingest takes its whole path.
 */
export const makeDeliveryFactory = (secrets: Record<BenchSource, string>, run: string) => {
  const shopifyOrder = fixtureBody('shopify/orders__updated.json');
  const zendeskEvent = fixtureBody('zendesk/ticket.status_changed.json');
  return (source: BenchSource, n: number, now = new Date()): SignedDelivery => {
    if (source === 'shopify') {
      const body = JSON.stringify({ ...shopifyOrder, updated_at: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(), note: `bench ${run} ${n}` });
      return { source, subject: String(shopifyOrder.admin_graphql_api_id), body, headers: signShopifyWebhook(secrets.shopify, body, { topic: 'orders/updated', timestamp: now }) };
    }
    if (source === 'zendesk') {
      const body = JSON.stringify({ ...zendeskEvent, id: randomUUID(), time: now.toISOString() });
      return { source, subject: String((zendeskEvent.detail as { id: string }).id), body, headers: signZendeskWebhook(secrets.zendesk, body, { timestamp: now }) };
    }
    const orderId = `SO-BENCH-${run}-${n}`;
    const { body, headers } = signDelivery('erp', 'order.status.changed', { orderId, status: STATUSES[n % STATUSES.length], version: 2 }, secrets.erp, { id: `msg_bench_${run}_${n}`, now });
    return { source, subject: orderId, body, headers };
  };
};
