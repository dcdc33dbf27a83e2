import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  decideEligibility,
  parsePolicies,
  policyFor,
  type OrderForResolution,
  type ResolutionRequest,
} from '../../../../functions/core/workflows/resolution-policy';

const POLICY_DIR = path.join(__dirname, '../../../../config/policies');
const shippedPolicies = parsePolicies(
  readdirSync(POLICY_DIR).map((file) => ({ file, content: JSON.parse(readFileSync(path.join(POLICY_DIR, file), 'utf8')) as unknown })),
);

const NOW = new Date('2026-11-28T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

/** The central scenario: a two-item shipment, one item arrived damaged. */
const twoLineOrder = (overrides: Partial<OrderForResolution> = {}): OrderForResolution => ({
  orderId: 'SO-1001',
  status: 'delivered',
  region: 'DE',
  currency: 'EUR',
  shippedAt: daysAgo(12),
  deliveredAt: daysAgo(10),
  lines: [
    { lineId: '10000', sku: 'MUG-BLUE', quantity: 2, shippedQuantity: 2, resolvedQuantity: 0, unitPrice: '12.50' },
    { lineId: '20000', sku: 'PLATE-WHITE', quantity: 1, shippedQuantity: 1, resolvedQuantity: 0, unitPrice: '30.00' },
  ],
  ...overrides,
});

const damagedMug = (overrides: Partial<ResolutionRequest> = {}): ResolutionRequest => ({
  lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }],
  preferred: 'replacement',
  ...overrides,
});

describe('policyFor', () => {
  it.each([
    ['DE', undefined, 'eu'],
    ['US', undefined, 'default'],
    [undefined, 'outlet', 'default'],
  ])('picks the policy for region %s and brand %s: %s', (region, brand, expected) => {
    // Act
    const policy = policyFor(shippedPolicies, { region, brand });
    // Assess
    expect(policy.name).toBe(expected);
  });
});

describe('parsePolicies', () => {
  const general = JSON.parse(readFileSync(path.join(POLICY_DIR, 'default.json'), 'utf8')) as Record<string, unknown>;

  it('puts the most specific policy first whatever the file order', () => {
    // Prepare
    const brand = { ...general, name: 'outlet', appliesTo: { brands: ['outlet'] } };
    const both = { ...general, name: 'outlet-eu', appliesTo: { brands: ['outlet'], regions: ['eu'] } };
    // Act
    const ordered = parsePolicies([{ file: 'default.json', content: general }, { file: 'outlet.json', content: brand }, { file: 'outlet-eu.json', content: both }]);
    // Assess
    expect(ordered.map((policy) => policy.name)).toEqual(['outlet-eu', 'outlet', 'default']);
    expect(policyFor(ordered, { region: 'eu', brand: 'outlet' }).name).toBe('outlet-eu');
  });

  it('names the file and field of every problem', () => {
    // Prepare
    const broken = { ...general, name: 'broken', refundOn: 'whenever', reasons: { damaged: { windowDays: 0 } } };
    // Act
    const parse = () => parsePolicies([{ file: 'broken.json', content: broken }]);
    // Assess
    expect(parse).toThrow(/broken\.json: refundOn: /);
    expect(parse).toThrow(/broken\.json: reasons\.damaged\.windowDays: /);
    expect(parse).toThrow(/exactly one policy must apply to every order/);
  });

  it('refuses a policy whose name differs from its file', () => {
    // Act
    const parse = () => parsePolicies([{ file: 'other.json', content: general }]);
    // Assess
    expect(parse).toThrow('other.json: name "default" must match the file name');
  });
});

describe('decideEligibility', () => {
  // Table per region: the same request decided under each shipped policy.
  it.each([
    ['DE', 'a damaged item replaced, kept by the customer', damagedMug(), { eligible: true, resolution: 'replacement', returnRequired: false, refundOn: 'authorization', shippingPaidBy: 'retailer', slaSeconds: 120 * 3600 }],
    ['us', 'a damaged item replaced under the general policy', damagedMug(), { eligible: true, resolution: 'replacement', returnRequired: false, refundOn: 'authorization', shippingPaidBy: 'retailer', slaSeconds: 72 * 3600 }],
    ['DE', 'a damaged item refunded at its price', damagedMug({ preferred: 'refund' }), { eligible: true, resolution: 'refund', refundAmount: { amount: '12.50', currency: 'EUR' }, slaSeconds: 336 * 3600 }],
    [
      'DE',
      'a change of mind refunded on receipt, shipping paid by the customer',
      damagedMug({ lines: [{ lineId: '10000', quantity: 2, reason: 'changed-mind' }] }),
      { eligible: true, resolution: 'refund', returnRequired: true, refundOn: 'receipt', shippingPaidBy: 'customer', refundAmount: { amount: '25.00', currency: 'EUR' } },
    ],
    ['US', 'a defective item named by SKU replaced after its return', damagedMug({ lines: [{ sku: 'PLATE-WHITE', quantity: 1, reason: 'defective' }] }), { eligible: true, resolution: 'replacement', returnRequired: true, returnArrivalSeconds: 21 * 86_400 }],
  ] as const)('in region %s: %s', (region, _, request, expected) => {
    // Prepare
    const order = twoLineOrder({ region });
    // Act
    const decision = decideEligibility(policyFor(shippedPolicies, order), order, request, NOW);
    // Assess
    expect(decision).toMatchObject(expected);
  });

  it("carries the order's region and brand into the decision, so the workflow records what chose its policy", () => {
    // Act
    const decision = decideEligibility(policyFor(shippedPolicies, { region: 'DE', brand: 'acme' }), twoLineOrder({ brand: 'acme' }), damagedMug(), NOW);
    const unbranded = decideEligibility(policyFor(shippedPolicies, { region: 'DE' }), twoLineOrder(), damagedMug(), NOW);
    // Assess
    expect(decision).toMatchObject({ eligible: true, region: 'DE', brand: 'acme' });
    expect(unbranded).not.toHaveProperty('brand');
  });

  it('refunds a mixed request when one line may not be replaced', () => {
    // Prepare
    const request = damagedMug({ lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }, { lineId: '20000', quantity: 1, reason: 'changed-mind' }] });
    // Act
    const decision = decideEligibility(policyFor(shippedPolicies, { region: 'DE' }), twoLineOrder(), request, NOW);
    // Assess
    expect(decision).toMatchObject({ eligible: true, resolution: 'refund', shippingPaidBy: 'retailer', refundAmount: { amount: '42.50', currency: 'EUR' } });
  });

  it.each([
    ['an order not shipped yet', twoLineOrder({ status: 'confirmed' }), damagedMug(), 'order-not-shipped'],
    ['a line the order does not have', twoLineOrder(), damagedMug({ lines: [{ lineId: '99999', quantity: 1, reason: 'damaged' }] }), 'line-not-found'],
    ['more than was bought', twoLineOrder(), damagedMug({ lines: [{ lineId: '10000', quantity: 3, reason: 'damaged' }] }), 'quantity-exceeds-shipped'],
    [
      'more than shipped',
      twoLineOrder({ lines: [{ lineId: '10000', quantity: 2, shippedQuantity: 1, resolvedQuantity: 0 }] }),
      damagedMug({ lines: [{ lineId: '10000', quantity: 2, reason: 'damaged' }] }),
      'quantity-exceeds-shipped',
    ],
    ['the same line named twice past its quantity', twoLineOrder(), damagedMug({ lines: [{ lineId: '10000', quantity: 2, reason: 'damaged' }, { sku: 'MUG-BLUE', quantity: 1, reason: 'defective' }] }), 'quantity-exceeds-shipped'],
    ['a line already refunded', twoLineOrder({ lines: [{ lineId: '10000', quantity: 2, shippedQuantity: 2, resolvedQuantity: 2 }] }), damagedMug(), 'already-resolved'],
    ['a line not shipped', twoLineOrder({ lines: [{ lineId: '10000', quantity: 2, shippedQuantity: 0, resolvedQuantity: 0 }] }), damagedMug(), 'line-not-shipped'],
    ['damage reported after its window', twoLineOrder({ deliveredAt: daysAgo(31) }), damagedMug(), 'outside-return-window'],
    ['a reason the policy does not accept', twoLineOrder({ region: 'us' }), damagedMug({ lines: [{ lineId: '10000', quantity: 1, reason: 'missing-parts' }] }), 'reason-not-accepted'],
  ] as const)('rejects %s', (_, order, request, code) => {
    // Act
    const decision = decideEligibility(policyFor(shippedPolicies, order), order, request, NOW);
    // Assess
    expect(decision.eligible).toBe(false);
    expect(decision).toMatchObject({ reasons: [expect.objectContaining({ code })] });
  });

  it('counts the return window from shipment when the delivery date is unknown', () => {
    // Prepare
    const order = twoLineOrder({ deliveredAt: undefined, shippedAt: daysAgo(31) });
    // Act
    const decision = decideEligibility(policyFor(shippedPolicies, order), order, damagedMug(), NOW);
    // Assess
    expect(decision).toMatchObject({ eligible: false, reasons: [{ code: 'outside-return-window', detail: expect.stringContaining('after shipment') }] });
  });

  it('reports every problem of a request, not only the first', () => {
    // Prepare
    const order = twoLineOrder({ status: 'confirmed', deliveredAt: daysAgo(40) });
    // Act
    const decision = decideEligibility(policyFor(shippedPolicies, order), order, damagedMug({ lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }, { lineId: 'nope', quantity: 1, reason: 'damaged' }] }), NOW);
    // Assess
    expect(decision.eligible === false && decision.reasons.map((reason) => reason.code)).toEqual(['order-not-shipped', 'outside-return-window', 'line-not-found']);
  });
});
