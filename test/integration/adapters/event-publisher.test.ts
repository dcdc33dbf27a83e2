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
    const emulatorEndpoint = useEmulator();
    sqs = new SQSClient({});
    resources = await provisionLocalResources({ stage: uniqueStage('pub'), signingSecrets: {}, emulatorEndpoint });
  });
  afterAll(() => sqs.destroy());

  it('delivers a canonical event through the rule to every subscribed queue', async () => {
    // Prepare
    const client = new EventBridgeClient({});

    // Act
    await makeEventBridgePublisher(client, resources.busName).publish(statusChanged('msg_pub_1'));

    // Assess: on each queue the rule routes order status changes to, and on no other.
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

  it('sends again only the entries EventBridge rejected, with the same event ids', async () => {
    // Prepare
    const mock = mockClient(EventBridgeClient);
    mock
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ EventId: 'eb-1' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }, { EventId: 'eb-3' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'eb-2' }] });
    const events = ['msg_p1', 'msg_p2', 'msg_p3'].map((id) => statusChanged(id)[0]!);

    // Act
    await makeEventBridgePublisher(new EventBridgeClient({}), 'bus', { retryDelayMs: 0 }).publish(events);

    // Assess
    const calls = mock.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries!.map((entry) => JSON.parse(entry.Detail!).eventId));
    expect(calls).toEqual([events.map((event) => event.detail.eventId), [events[1]!.detail.eventId]]);
    mock.restore();
  });

  it('fails the publish when EventBridge keeps rejecting an entry, so the delivery is not recorded and the sender retries', async () => {
    // Prepare
    const mock = mockClient(EventBridgeClient);
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] });

    // Act
    const publishing = makeEventBridgePublisher(new EventBridgeClient({}), 'bus', { retryDelayMs: 0 }).publish(statusChanged('msg_x'));

    // Assess
    await expect(publishing).rejects.toBeInstanceOf(TransientError);
    expect(mock.commandCalls(PutEventsCommand)).toHaveLength(3);
    mock.restore();
  });

  it('sends at most ten entries per PutEvents call', async () => {
    // Prepare
    const mock = mockClient(EventBridgeClient);
    mock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const events = Array.from({ length: 23 }, (_, index) => statusChanged(`msg_${index}`)[0]!);

    // Act
    await makeEventBridgePublisher(new EventBridgeClient({}), 'bus').publish(events);

    // Assess
    expect(mock.commandCalls(PutEventsCommand).map((call) => call.args[0].input.Entries!.length)).toEqual([10, 10, 3]);
    mock.restore();
  });
});
