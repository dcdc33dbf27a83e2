/** Finding a stage's DLQs and their source queues from the names an engineer types. */
import { GetQueueUrlCommand, ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { QUEUES, resourceNames, type QueueSpec } from '../../lib/topology';
import { explainAwsError, isQueueMissing, OpsError, UsageError } from '../errors';


export interface DlqTarget {
  spec: QueueSpec;
  stage: string;
  region: string;
  name: string;
  url: string;
  sourceName: string;
  fifo: boolean;
}

export const regionOf = async (sqs: SQSClient): Promise<string> => {
  try {
    return await sqs.config.region();
  } catch {
    return 'an unknown region';
  }
};

/** Every DLQ name the topology defines for a stage. */
export const knownDeadLetterQueues = (stage: string) => QUEUES.map((spec) => resourceNames(stage).deadLetterQueue(spec));

const specFor = (stage: string, queue: string): QueueSpec | undefined => {
  const names = resourceNames(stage);
  return QUEUES.find((spec) => {
    const dlq = names.deadLetterQueue(spec);
    return [spec.name, `${spec.name}-dlq`, dlq, dlq.replace(/\.fifo$/, ''), names.queue(spec)].includes(queue);
  });
};

const displayName = (stage: string, queue: string) => {
  if (queue.startsWith('retail-sync-')) return queue;
  return `${resourceNames(stage).prefix}-${queue.endsWith('-dlq') ? queue : `${queue}-dlq`}`;
};

export const queueUrlOf = async (sqs: SQSClient, name: string): Promise<string | undefined> => {
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  } catch (error) {
    if (isQueueMissing(error)) return undefined;
    throw explainAwsError(error, `look up queue ${name}`);
  }
};

/** DLQs of the stage that exist, for error messages. */
const existingDeadLetterQueues = async (sqs: SQSClient, stage: string): Promise<string[]> => {
  try {
    const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: `${resourceNames(stage).prefix}-` }));
    return QueueUrls.map((url) => url.split('/').pop()!).filter((name) => /-dlq(\.fifo)?$/.test(name));
  } catch {
    return [];
  }
};

/**
 * Finds a stage's DLQ from a short name (`erp-commands`), a DLQ name or the source queue's name.
 * Unknown to the topology: UsageError. Known but absent from the account/region: OpsError.
 */
export const resolveDlq = async (sqs: SQSClient, stage: string, queue: string): Promise<DlqTarget> => {
  const region = await regionOf(sqs);
  const spec = specFor(stage, queue);
  if (!spec) {
    throw new UsageError(`No DLQ named ${displayName(stage, queue)} in ${region}: known DLQs: ${knownDeadLetterQueues(stage).join(', ')}`);
  }
  const names = resourceNames(stage);
  const name = names.deadLetterQueue(spec);
  const url = await queueUrlOf(sqs, name);
  if (!url) {
    const existing = await existingDeadLetterQueues(sqs, stage);
    if (existing.length === 0) throw new OpsError(`No queue of stage "${stage}" exists in ${region}: is the stage deployed in this region (--region), or the local stack running?`);
    throw new OpsError(`No DLQ named ${name} in ${region}: known DLQs: ${existing.join(', ')}`);
  }
  return { spec, stage, region, name, url, sourceName: names.queue(spec), fifo: Boolean(spec.fifo) };
};

export const sourceUrlOf = async (sqs: SQSClient, target: DlqTarget): Promise<string> => {
  const url = await queueUrlOf(sqs, target.sourceName);
  if (!url) throw new OpsError(`No source queue named ${target.sourceName} in ${target.region} for ${target.name}`);
  return url;
};
