import { DeliveryInProgressError, NotFoundError, SignatureInvalidError, ValidationError, WorkflowNotParkedError } from '../../../functions/core/errors';
import { errorResponse } from '../../../functions/core/problem';

describe('errorResponse', () => {
  it.each<[string, Error, number]>([
    ['a bad signature', new SignatureInvalidError('sig'), 401],
    ['a validation error', new ValidationError('bad', [{ path: 'data.status', message: 'Invalid option' }]), 400],
    ['a missing resource', new NotFoundError('none'), 404],
    ['a delivery in progress', new DeliveryInProgressError('busy'), 409],
    ['a decision for a workflow not parked', new WorkflowNotParkedError('not parked'), 409],
    ['an unexpected error', new Error('database down'), 500],
  ])('maps %s to its status as problem+json', (_name, error, status) => {
    // Act
    const response = errorResponse(error, '/v1/webhooks/erp');

    // Assess
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status, instance: '/v1/webhooks/erp', detail: expect.any(String) });
  });

  it('lists validation issues so the sender can fix each field', () => {
    // Prepare
    const error = new ValidationError('bad', [{ path: 'data.status', message: 'Invalid option' }]);

    // Act
    const body = JSON.parse(errorResponse(error).body);

    // Assess
    expect(body.errors).toEqual([{ path: 'data.status', message: 'Invalid option' }]);
  });

  it('never leaks the message of an unexpected error', () => {
    // Prepare
    const error = new Error('password=hunter2');

    // Act
    const response = errorResponse(error);

    // Assess
    expect(response.body).not.toContain('hunter2');
  });

  it('asks the sender to retry a delivery still in progress', () => {
    // Prepare
    const error = new DeliveryInProgressError('busy');

    // Act
    const response = errorResponse(error);

    // Assess
    expect(response.headers['retry-after']).toBe('2');
  });
});
