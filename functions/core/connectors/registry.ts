import { UnknownSourceError } from '../errors';
import type { Connector } from './connector';
import { businessCentralConnector } from './business-central';
import { erpConnector } from './erp';
import { shopifyConnector } from './shopify';
import { thirdPartyLogisticsConnector } from './third-party-logistics';
import { DEFAULT_ZENDESK_OPTIONS, makeZendeskConnector, type ZendeskConnectorOptions } from './zendesk';

export interface ConnectorSettings {
  zendesk?: Partial<ZendeskConnectorOptions>;
}

/**
 * The one place senders are registered: the path segment of `POST /v1/webhooks/{source}` -> connector.
 * Adding a sender is one module (verify + mapping) and one line here.
 */
export const makeConnectorRegistry = (settings: ConnectorSettings = {}): Readonly<Record<string, Connector>> => ({
  erp: erpConnector,
  businesscentral: businessCentralConnector,
  '3pl': thirdPartyLogisticsConnector,
  shopify: shopifyConnector,
  zendesk: makeZendeskConnector({ ...DEFAULT_ZENDESK_OPTIONS, ...settings.zendesk }),
});

const defaults = makeConnectorRegistry();
export const WEBHOOK_SOURCES = Object.keys(defaults);

export const connectorIn = (registry: Readonly<Record<string, Connector>>, source: string): Connector => {
  const connector = Object.hasOwn(registry, source) ? registry[source] : undefined;
  if (!connector) throw new UnknownSourceError(`No webhook source named "${source}". Known sources: ${Object.keys(registry).join(', ')}.`);
  return connector;
};
