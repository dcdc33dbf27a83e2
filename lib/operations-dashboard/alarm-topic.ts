import { CfnOutput, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import type { ResourceNames } from '../topology';

/**
 * The stage's own alarm topic. Encrypted with a customer managed key: CloudWatch cannot publish to a
 * topic under the AWS managed key alias/aws/sns, whose key policy does not let it use the key.
 */
export const createAlarmTopic = (scope: Construct, names: ResourceNames, removalPolicy: RemovalPolicy): Topic => {
  const { account, region, partition } = Stack.of(scope);
  const alarmArns = `arn:${partition}:cloudwatch:${region}:${account}:alarm:${names.alarm('*')}`;
  const key = new Key(scope, 'AlarmTopicKey', {
    alias: `alias/${names.alarmTopic}`,
    description: `Encrypts the ${names.alarmTopic} topic; CloudWatch alarms may use it to publish`,
    enableKeyRotation: true,
    removalPolicy,
  });
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': alarmArns } },
    }),
  );
  const topic = new Topic(scope, 'AlarmTopic', {
    topicName: names.alarmTopic,
    displayName: `${names.prefix} alarms`,
    masterKey: key,
    enforceSSL: true,
  });
  // Creating a topic policy replaces SNS's default one, so CloudWatch needs its own grant.
  topic.addToResourcePolicy(
    new PolicyStatement({
      sid: 'AllowCloudWatchAlarmsToPublish',
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { StringEquals: { 'aws:SourceAccount': account }, ArnLike: { 'aws:SourceArn': alarmArns } },
    }),
  );
  new CfnOutput(scope, 'AlarmTopicArn', { value: topic.topicArn, description: 'Subscribe on-call (email, chat, pager) to this topic to receive alarms' });
  return topic;
};
