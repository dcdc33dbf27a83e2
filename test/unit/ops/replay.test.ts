import { DescribeArchiveCommand, DescribeReplayCommand, EventBridgeClient, ListRulesCommand, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { replayArchive } from '../../../ops/replay';
import { UsageError } from '../../../ops/errors';

const now = new Date('2026-11-27T12:00:00Z');
const window = { stage: 'prod', from: new Date('2026-11-27T09:00:00Z'), to: new Date('2026-11-27T10:00:00Z'), waitSeconds: 5 };

describe('ops replay', () => {
  const events = mockClient(EventBridgeClient);
  beforeEach(() => {
    events.reset();
    events.on(DescribeArchiveCommand).resolves({ ArchiveArn: 'arn:archive', EventSourceArn: 'arn:bus' });
    events.on(ListRulesCommand).resolves({
      Rules: [
        { Name: 'projector', Arn: 'arn:rule/projector', EventPattern: JSON.stringify({ 'detail-type': ['order.status.changed'] }) },
        { Name: 'read-models', Arn: 'arn:rule/read-models', EventPattern: JSON.stringify({ 'detail-type': ['refund.issued', 'order.created'] }) },
      ],
    });
    events.on(StartReplayCommand).resolves({ State: 'STARTING' });
    events.on(DescribeReplayCommand).resolves({ State: 'COMPLETED' });
  });
  afterAll(() => events.restore());

  it('replays the window from the stage archive onto its bus, only to the rules of the detail types asked', async () => {
    // Act
    const result = await replayArchive(new EventBridgeClient({ region: 'eu-west-1' }), { ...window, detailTypes: ['refund.issued'] }, now);
    // Assess
    expect(result).toEqual({ name: expect.stringMatching(/^retail-sync-prod-events-/), state: 'COMPLETED', rules: ['read-models'], archive: 'retail-sync-prod-events-archive' });
    expect(events.commandCalls(DescribeArchiveCommand)[0]!.args[0].input).toEqual({ ArchiveName: 'retail-sync-prod-events-archive' });
    expect(events.commandCalls(StartReplayCommand)[0]!.args[0].input).toMatchObject({
      EventSourceArn: 'arn:archive',
      EventStartTime: window.from,
      EventEndTime: window.to,
      Destination: { Arn: 'arn:bus', FilterArns: ['arn:rule/read-models'] },
    });
  });

  it('replays to every rule when no detail type is given', async () => {
    // Act
    await replayArchive(new EventBridgeClient({ region: 'eu-west-1' }), { ...window, detailTypes: [] }, now);
    // Assess
    expect(events.commandCalls(StartReplayCommand)[0]!.args[0].input.Destination).toEqual({ Arn: 'arn:bus' });
  });

  it.each([
    ['a window that ends before it starts', { from: window.to, detailTypes: [] }, new UsageError('--from must be before --to')],
    ['a window that ends in the future', { to: new Date('2026-11-28T00:00:00Z'), detailTypes: [] }, UsageError],
    ['a detail type no rule routes', { detailTypes: ['nothing.routes.this'] }, /No rule .* routes nothing\.routes\.this/],
  ])('refuses %s', async (_, change, expected) => {
    // Act
    const replay = replayArchive(new EventBridgeClient({ region: 'eu-west-1' }), { ...window, ...change }, now);
    // Assess
    await expect(replay).rejects.toThrow(expected);
  });

  it('says which archive is missing', async () => {
    // Prepare
    events.on(DescribeArchiveCommand).rejects(Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }));
    // Act
    const replay = replayArchive(new EventBridgeClient({ region: 'eu-west-1' }), { ...window, detailTypes: [] }, now);
    // Assess
    await expect(replay).rejects.toThrow(
      'No archive named retail-sync-prod-events-archive: is stage "prod" deployed?',
    );
  });
});
