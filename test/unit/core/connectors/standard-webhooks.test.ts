import { verifyStandardWebhook } from '../../../../functions/core/connectors/standard-webhooks';
import { SignatureInvalidError, ValidationError } from '../../../../functions/core/errors';
import { signStandardWebhook } from '../../../../local/sign';

// The published Standard Webhooks test vector (standard-webhooks spec, reference libraries).
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: '1614265330',
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};
const OTHER_SECRET = 'whsec_' + Buffer.from('another-secret-of-the-sender').toString('base64');

const delivery = (headers: Record<string, string | undefined>, rawBody = VECTOR.body) => ({ headers, rawBody, receivedAt: new Date() });
const vectorHeaders = () => ({ 'webhook-id': VECTOR.id, 'webhook-timestamp': VECTOR.timestamp, 'webhook-signature': VECTOR.signature });

describe('verifyStandardWebhook', () => {
  afterEach(() => jest.useRealTimers());

  it('accepts the published test vector', () => {
    // Prepare
    jest.useFakeTimers({ now: Number(VECTOR.timestamp) * 1000 });
    // Act
    const verified = verifyStandardWebhook(delivery(vectorHeaders()), [VECTOR.secret]);
    // Assess
    expect(verified).toEqual({ deliveryId: VECTOR.id, body: { test: 2432232314 } });
  });

  it('accepts headers in any letter case', () => {
    jest.useFakeTimers({ now: Number(VECTOR.timestamp) * 1000 });
    const headers = { 'Webhook-Id': VECTOR.id, 'Webhook-Timestamp': VECTOR.timestamp, 'Webhook-Signature': VECTOR.signature };
    expect(verifyStandardWebhook(delivery(headers), [VECTOR.secret]).deliveryId).toBe(VECTOR.id);
  });

  it('accepts a delivery signed with the previous secret during a rotation', () => {
    jest.useFakeTimers({ now: Number(VECTOR.timestamp) * 1000 });
    expect(verifyStandardWebhook(delivery(vectorHeaders()), [OTHER_SECRET, VECTOR.secret]).deliveryId).toBe(VECTOR.id);
  });

  it('accepts a signature list where any one entry matches', () => {
    jest.useFakeTimers({ now: Number(VECTOR.timestamp) * 1000 });
    const headers = { ...vectorHeaders(), 'webhook-signature': `v1,bm9wZQ== v2,xyz ${VECTOR.signature}` };
    expect(verifyStandardWebhook(delivery(headers), [VECTOR.secret]).deliveryId).toBe(VECTOR.id);
  });

  it('refuses a tampered body', () => {
    jest.useFakeTimers({ now: Number(VECTOR.timestamp) * 1000 });
    expect(() => verifyStandardWebhook(delivery(vectorHeaders(), '{"test": 2432232315}'), [VECTOR.secret])).toThrow(SignatureInvalidError);
  });

  it('refuses a signature made with a secret that is not active', () => {
    jest.useFakeTimers({ now: Number(VECTOR.timestamp) * 1000 });
    expect(() => verifyStandardWebhook(delivery(vectorHeaders()), [OTHER_SECRET])).toThrow(/does not match any active secret/);
  });

  it('refuses a timestamp more than five minutes old, naming the tolerance', () => {
    jest.useFakeTimers({ now: (Number(VECTOR.timestamp) + 301) * 1000 });
    expect(() => verifyStandardWebhook(delivery(vectorHeaders()), [VECTOR.secret])).toThrow(/more than 5 minutes/);
  });

  it('refuses a timestamp more than five minutes in the future', () => {
    jest.useFakeTimers({ now: (Number(VECTOR.timestamp) - 301) * 1000 });
    expect(() => verifyStandardWebhook(delivery(vectorHeaders()), [VECTOR.secret])).toThrow(SignatureInvalidError);
  });

  it('names every missing header', () => {
    expect(() => verifyStandardWebhook(delivery({ 'webhook-id': 'x' }), [VECTOR.secret])).toThrow(
      'Missing Standard Webhooks header(s): webhook-timestamp, webhook-signature.',
    );
  });

  it('refuses every delivery when the source has no secret configured', () => {
    const body = '{"a":1}';
    expect(() => verifyStandardWebhook(delivery(signStandardWebhook(VECTOR.secret, body), body), [])).toThrow(/No signing secret/);
  });

  it('reports a validly signed body that is not JSON as a validation error, not a signature error', () => {
    const body = '{not json';
    expect(() => verifyStandardWebhook(delivery(signStandardWebhook(VECTOR.secret, body), body), [VECTOR.secret])).toThrow(ValidationError);
  });
});
