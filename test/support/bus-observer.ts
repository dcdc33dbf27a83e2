import { PutRuleCommand, PutTargetsCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, DeleteMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';

/** Subscribes a test queue to every canonical event on a bus, to count what reached it. */
export const observeBus = async (busName: string) => {
  const sqs = new SQSClient({});
  const events = new EventBridgeClient({});
  const name = `${busName}-observer`;
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await events.send(new PutRuleCommand({ Name: name, EventBusName: busName, EventPattern: JSON.stringify({ source: [{ prefix: 'retail-sync.' }] }) }));
  await events.send(new PutTargetsCommand({ Rule: name, EventBusName: busName, Targets: [{ Id: 'observer', Arn: arn }] }));
  return {
    /** Takes every event delivered so far off the observer queue. */
    async drain(): Promise<Array<{ 'detail-type': string; detail: { eventId: string; data: unknown } }>> {
      const drained = [];
      for (;;) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
        if (Messages.length === 0) return drained;
        drained.push(...Messages.map((message) => JSON.parse(message.Body!)));
        await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
      }
    },
    close() {
      sqs.destroy();
      events.destroy();
    },
  };
};
