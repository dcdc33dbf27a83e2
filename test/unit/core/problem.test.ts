import { DeliveryInProgressError, NotFoundError, SignatureInvalidError, ValidationError } from '../../../functions/core/errors';
import { errorResponse } from '../../../functions/core/problem';

describe('errorResponse', () => {
  it('maps each error meaning to its status as problem+json', () => {
    const cases: Array<[Error, number]> = [
      [new SignatureInvalidError('sig'), 401],
      [new ValidationError('bad', [{ path: 'data.status', message: 'Invalid option' }]), 400],
      [new NotFoundError('none'), 404],
      [new DeliveryInProgressError('busy'), 409],
      [new Error('database down'), 500],
    ];
    for (const [error, status] of cases) {
      const response = errorResponse(error, '/v1/webhooks/erp');
      expect(response.statusCode).toBe(status);
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(response.body)).toMatchObject({ status, instance: '/v1/webhooks/erp', detail: expect.any(String) });
    }
  });

  it('lists validation issues so the sender can fix each field', () => {
    const body = JSON.parse(errorResponse(new ValidationError('bad', [{ path: 'data.status', message: 'Invalid option' }])).body);
    expect(body.errors).toEqual([{ path: 'data.status', message: 'Invalid option' }]);
  });

  it('never leaks the message of an unexpected error', () => {
    expect(errorResponse(new Error('password=hunter2')).body).not.toContain('hunter2');
  });

  it('asks the sender to retry a delivery still in progress', () => {
    expect(errorResponse(new DeliveryInProgressError('busy')).headers['retry-after']).toBe('2');
  });
});
