import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { makeDynamoDbDeliveryLedger } from '../../../functions/adapters/delivery-ledger';
import { makeLambdaContext } from '../../../local/lambda-context';
import { serveAwsStub, type AwsStubStats } from '../../../bench/aws-stub';

describe('the AWS stub of bench:ingest', () => {
  let server: Server;
  let stats: AwsStubStats;
  let clientConfig: { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };

  beforeAll(async () => {
    const stub = await serveAwsStub({ secrets: {} });
    ({ server, stats } = stub);
    clientConfig = { endpoint: `http://127.0.0.1:${stub.port}`, region: 'us-east-1', credentials: { accessKeyId: 'stub', secretAccessKey: 'stub' } };
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('settles a redelivery as AWS does, so Powertools idempotency answers it as a duplicate without running it again', async () => {
    // Prepare
    const ledger = makeDynamoDbDeliveryLedger(new DynamoDBClient(clientConfig), 'bench-idempotency', { keyPrefix: 'bench' });
    ledger.registerLambdaContext(makeLambdaContext('bench', 10, 512));
    let runs = 0;
    const accept = async () => ({ eventId: `evt_${++runs}` });

    // Act
    const first = await ledger.acceptOnce('erp#msg_1', 'fingerprint-1', accept);
    const again = await ledger.acceptOnce('erp#msg_1', 'fingerprint-1', accept);

    // Assess
    expect(first).toEqual({ result: { eventId: 'evt_1' }, duplicate: false });
    expect(again).toEqual({ result: { eventId: 'evt_1' }, duplicate: true });
    expect(runs).toBe(1);
    expect(stats.conditionalCheckFailures).toBe(1);
    expect(stats.requests).toMatchObject({ 'DynamoDB.PutItem': 2, 'DynamoDB.UpdateItem': 1 });
  });

  it('accepts PutEvents entries and counts them', async () => {
    // Act
    const response = await new EventBridgeClient(clientConfig).send(new PutEventsCommand({ Entries: [{ Source: 'bench', DetailType: 'x', Detail: '{"a":1}' }] }));

    // Assess
    expect(response.FailedEntryCount).toBe(0);
    expect(response.Entries?.[0]?.EventId).toEqual(expect.any(String));
    expect(stats.eventsPut).toBe(1);
  });

  it('refuses an operation it does not stub, by name, and counts it', async () => {
    // Act
    const sent = new SQSClient(clientConfig).send(new SendMessageCommand({ QueueUrl: 'http://127.0.0.1/queue', MessageBody: 'x' }));

    // Assess
    await expect(sent).rejects.toThrow(/does not answer AmazonSQS.SendMessage/);
    expect(stats.requests['AmazonSQS.SendMessage']).toBe(1);
  });
});
