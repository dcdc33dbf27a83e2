import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { makeEventBridgePublisher } from '../../../functions/adapters/event-publisher';
import { erpConnector } from '../../../functions/core/connectors/erp';
import { TransientError } from '../../../functions/core/errors';
import { provisionLocalResources, type LocalResources } from '../../../local/provision';
import { uniqueStage, useEmulator } from '../../support/emulator';

const statusChanged = (deliveryId: string) =>
  erpConnector.map(
    { deliveryId, body: { type: 'order.status.changed', timestamp: '2026-11-27T10:00:00Z', data: { orderId: 'SO-9', status: 'picking', version: 4, occurredAt: '2026-11-27T10:00:00Z' } } },
    new Date(),
  );

describe('EventBridge publisher against the emulator', () => {
  let resources: LocalResources;
  let sqs: SQSClient;

  beforeAll(async () => {
    useEmulator();
    sqs = new SQSClient({});
    resources = await provisionLocalResources({ prefix: `retail-sync-${uniqueStage('pub')}`, signingSecrets: {}, visibilityTimeoutSeconds: 5 });
  });
  afterAll(() => sqs.destroy());

  it('delivers a canonical event through the rule to every subscribed queue', async () => {
    const client = new EventBridgeClient({});
    await makeEventBridgePublisher(client, resources.busName).publish(statusChanged('msg_pub_1'));
    for (const name of ['sync-state-projector', 'service-desk-updater']) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: resources.queues.get(name)!.url, MaxNumberOfMessages: 10 }));
      expect(Messages).toHaveLength(1);
      const delivered = JSON.parse(Messages[0]!.Body!);
      expect(delivered['detail-type']).toBe('order.status.changed');
      expect(delivered.source).toBe('retail-sync.erp');
      expect(delivered.detail.data).toEqual({ orderId: 'SO-9', status: 'picking', version: 4, occurredAt: '2026-11-27T10:00:00Z' });
    }
    const { Messages: commands = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: resources.queues.get('erp-commands')!.url }));
    expect(commands).toHaveLength(0);
    client.destroy();
  });

  it('fails the publish when EventBridge rejects an entry, so nothing is acknowledged', async () => {
    const mock = mockClient(EventBridgeClient);
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });
    await expect(makeEventBridgePublisher(new EventBridgeClient({}), 'bus').publish(statusChanged('msg_x'))).rejects.toBeInstanceOf(TransientError);
    mock.restore();
  });

  it('sends at most ten entries per PutEvents call', async () => {
    const mock = mockClient(EventBridgeClient);
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const events = Array.from({ length: 23 }, (_, index) => statusChanged(`msg_${index}`)[0]!);
    await makeEventBridgePublisher(new EventBridgeClient({}), 'bus').publish(events);
    expect(mock.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries!.length)).toEqual([10, 10, 3]);
    mock.restore();
  });
});
