import { createHmac } from 'node:crypto';
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

const delivery = (headers: Record<string, string | undefined>, rawBody: string | Uint8Array = VECTOR.body) => ({ headers, rawBody, receivedAt: new Date() });
const atVectorTime = (offsetSeconds = 0) => jest.useFakeTimers({ now: (Number(VECTOR.timestamp) + offsetSeconds) * 1000 });
const vectorHeaders = () => ({ 'webhook-id': VECTOR.id, 'webhook-timestamp': VECTOR.timestamp, 'webhook-signature': VECTOR.signature });

describe('verifyStandardWebhook', () => {
  afterEach(() => jest.useRealTimers());

  it('accepts the published test vector', () => {
    // Prepare
    atVectorTime();

    // Act
    const verified = verifyStandardWebhook(delivery(vectorHeaders()), [VECTOR.secret]);

    // Assess
    expect(verified).toEqual({ deliveryId: VECTOR.id, body: { test: 2432232314 } });
  });

  it('accepts headers in any letter case', () => {
    // Prepare
    atVectorTime();
    const headers = { 'Webhook-Id': VECTOR.id, 'Webhook-Timestamp': VECTOR.timestamp, 'Webhook-Signature': VECTOR.signature };

    // Act
    const verified = verifyStandardWebhook(delivery(headers), [VECTOR.secret]);

    // Assess
    expect(verified.deliveryId).toBe(VECTOR.id);
  });

  it('accepts a delivery signed with the previous secret during a rotation', () => {
    // Prepare
    atVectorTime();

    // Act
    const verified = verifyStandardWebhook(delivery(vectorHeaders()), [OTHER_SECRET, VECTOR.secret]);

    // Assess
    expect(verified.deliveryId).toBe(VECTOR.id);
  });

  it('accepts a signature list where any one entry matches', () => {
    // Prepare
    atVectorTime();
    const headers = { ...vectorHeaders(), 'webhook-signature': `v1,bm9wZQ== v2,xyz ${VECTOR.signature}` };

    // Act
    const verified = verifyStandardWebhook(delivery(headers), [VECTOR.secret]);

    // Assess
    expect(verified.deliveryId).toBe(VECTOR.id);
  });

  it('refuses a tampered body', () => {
    // Prepare
    atVectorTime();

    // Act
    const verify = () => verifyStandardWebhook(delivery(vectorHeaders(), '{"test": 2432232315}'), [VECTOR.secret]);

    // Assess
    expect(verify).toThrow(SignatureInvalidError);
  });

  it('refuses a signature made with a secret that is not active', () => {
    // Prepare
    atVectorTime();

    // Act
    const verify = () => verifyStandardWebhook(delivery(vectorHeaders()), [OTHER_SECRET]);

    // Assess
    expect(verify).toThrow(/does not match any active secret/);
  });

  it('refuses a timestamp more than five minutes old, naming the tolerance', () => {
    // Prepare
    atVectorTime(301);

    // Act
    const verify = () => verifyStandardWebhook(delivery(vectorHeaders()), [VECTOR.secret]);

    // Assess
    expect(verify).toThrow(/more than 5 minutes/);
  });

  it('refuses a timestamp more than five minutes in the future', () => {
    // Prepare
    atVectorTime(-301);

    // Act
    const verify = () => verifyStandardWebhook(delivery(vectorHeaders()), [VECTOR.secret]);

    // Assess
    expect(verify).toThrow(SignatureInvalidError);
  });

  it('names every missing header', () => {
    // Prepare
    const headers = { 'webhook-id': 'x' };

    // Act
    const verify = () => verifyStandardWebhook(delivery(headers), [VECTOR.secret]);

    // Assess
    expect(verify).toThrow('Missing Standard Webhooks header(s): webhook-timestamp, webhook-signature.');
  });

  it('refuses every delivery when the source has no secret configured', () => {
    // Prepare
    const body = '{"a":1}';

    // Act
    const verify = () => verifyStandardWebhook(delivery(signStandardWebhook(VECTOR.secret, body), body), []);

    // Assess
    expect(verify).toThrow(/No signing secret/);
  });

  it('reports a validly signed body that is not JSON as a validation error, not a signature error', () => {
    // Prepare
    const body = '{not json';

    // Act
    const verify = () => verifyStandardWebhook(delivery(signStandardWebhook(VECTOR.secret, body), body), [VECTOR.secret]);

    // Assess
    expect(verify).toThrow(ValidationError);
  });

  it('verifies the published test vector given as bytes', () => {
    // Prepare
    atVectorTime();

    // Act
    const verified = verifyStandardWebhook(delivery(vectorHeaders(), Buffer.from(VECTOR.body)), [VECTOR.secret]);

    // Assess
    expect(verified.body).toEqual({ test: 2432232314 });
  });

  it('reports a body signed over bytes that are not UTF-8 as a validation error, not a signature error', () => {
    // Prepare: the vector's body with one byte that no UTF-8 text contains, signed over the bytes.
    atVectorTime();
    const bytes = Buffer.concat([Buffer.from('{"test": "'), Buffer.from([0xff]), Buffer.from('"}')]);
    const key = Buffer.from(VECTOR.secret.slice('whsec_'.length), 'base64');
    const signature = createHmac('sha256', key).update(`${VECTOR.id}.${VECTOR.timestamp}.`).update(bytes).digest('base64');

    // Act
    const verify = () => verifyStandardWebhook({ headers: { ...vectorHeaders(), 'webhook-signature': `v1,${signature}` }, rawBody: bytes, receivedAt: new Date() }, [VECTOR.secret]);

    // Assess
    expect(verify).toThrow(new ValidationError('The body is not valid UTF-8.'));
  });
});
