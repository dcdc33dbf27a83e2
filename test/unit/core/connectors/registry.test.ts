import { erpConnector } from '../../../../functions/core/connectors/erp';
import { connectorIn, makeConnectorRegistry } from '../../../../functions/core/connectors/registry';
import { UnknownSourceError } from '../../../../functions/core/errors';

describe('connector registry', () => {
  const connectorFor = (source: string) => connectorIn(makeConnectorRegistry(), source);

  it('finds the ERP connector', () => {
    // Act
    const connector = connectorFor('erp');

    // Assess
    expect(connector).toBe(erpConnector);
  });

  it('refuses an unknown source and lists the known ones', () => {
    // Act
    const lookUp = () => connectorFor('shopifyy');

    // Assess
    expect(lookUp).toThrow(new UnknownSourceError('No webhook source named "shopifyy". Known sources: erp, businesscentral, 3pl, shopify, zendesk.'));
  });

  it.each(['constructor', '__proto__'])('does not treat the inherited object key %s as a source', (source) => {
    // Act
    const lookUp = () => connectorFor(source);

    // Assess
    expect(lookUp).toThrow(UnknownSourceError);
  });
});
