import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { makeStepFunctionsWorkflowStarter } from '../../../functions/adapters/workflow-starter';
import { makeStartResolution } from '../../../functions/core/workflows/start-resolution';
import { useEmulator } from '../../support/emulator';
import { provisionWorkflowFixture } from '../../support/workflows';

describe('starting a refund-or-replacement workflow on the emulator', () => {
  let sfn: SFNClient;
  let sqs: SQSClient;
  let stateMachineArn: string;

  beforeAll(async () => {
    // Prepare
    const endpoint = useEmulator();
    sfn = new SFNClient({});
    sqs = new SQSClient({});
    ({ stateMachineArn } = await provisionWorkflowFixture(endpoint, sqs, sfn, 'start'));
  });

  afterAll(() => {
    sfn.destroy();
    sqs.destroy();
  });

  it('starts one execution for a request sent twice', async () => {
    // Prepare
    const startResolution = makeStartResolution({ starter: makeStepFunctionsWorkflowStarter(sfn, { refundOrReplacement: stateMachineArn }), clock: { now: () => new Date() } });
    const request = {
      caseId: '4711',
      rawBody: JSON.stringify({ orderId: 'SO-1001', lines: [{ lineId: '10000', quantity: 1, reason: 'damaged' }], preferred: 'refund', requestedBy: 'agent:7' }),
      correlationId: 'req-1',
      path: '/v1/cases/4711/resolutions',
    };
    // Act
    const first = await startResolution(request);
    const second = await startResolution({ ...request, correlationId: 'req-2' });
    // Assess
    expect([first.statusCode, second.statusCode]).toEqual([202, 202]);
    expect(JSON.parse(second.body)).toEqual({ ...JSON.parse(first.body), started: false });
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions.map((execution) => execution.name)).toEqual([JSON.parse(first.body).workflowId]);
  });
});
