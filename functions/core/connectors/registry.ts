import { UnknownSourceError } from '../errors';
import type { Connector } from './connector';
import { erpConnector } from './erp';

/** The one place senders are registered: the path segment of `POST /v1/webhooks/{source}` -> connector. */
export const connectors: Readonly<Record<string, Connector>> = {
  erp: erpConnector,
};

export const WEBHOOK_SOURCES = Object.keys(connectors);

export const connectorFor = (source: string): Connector => {
  const connector = Object.hasOwn(connectors, source) ? connectors[source] : undefined;
  if (!connector) {
    throw new UnknownSourceError(
      `No webhook source named "${source}". Known sources: ${WEBHOOK_SOURCES.join(', ')}.`,
    );
  }
  return connector;
};
