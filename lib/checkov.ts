import { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A checkov check that does not apply to a resource, and why (shown in checkov's output as the suppression comment). */
export interface CheckovSkip {
  id: string;
  comment: string;
}

/**
 * Records in the resource's Metadata (`checkov: { skip: [...] }`) that checkov should skip these checks,
 * each with its reason, so the suppression lives beside the resource it concerns.
 *
 * @example
 * skipCheckov(queue, { id: 'CKV_AWS_27', comment: 'Encrypted with SQS managed SSE.' });
 */
export const skipCheckov = (construct: IConstruct, ...skips: CheckovSkip[]) => {
  const resource = construct instanceof CfnResource ? construct : construct.node.defaultChild;
  if (!(resource instanceof CfnResource)) throw new Error(`${construct.node.path} has no CloudFormation resource to annotate`);
  const existing = (resource.getMetadata('checkov') as { skip?: CheckovSkip[] } | undefined)?.skip ?? [];
  resource.addMetadata('checkov', { skip: [...existing, ...skips] });
};

/**
 * Drops the DependsOn a resource has on its role: its GetAtt of the role's ARN already orders them (cfn-lint
 * W3005). The DependsOn on the role's default policy stays: that one nothing else implies.
 */
export const dropImpliedRoleDependency = (resource: CfnResource, roleDefaultPolicy: IConstruct) => {
  const policy = roleDefaultPolicy instanceof CfnResource ? roleDefaultPolicy : roleDefaultPolicy.node.defaultChild;
  resource.addOverride('DependsOn', [resource.stack.getLogicalId(policy as CfnResource)]);
};

/** Every log group's: the logs are checked to hold no secret or personal data, so a key per stage would guard nothing. */
export const LOG_GROUP_WITHOUT_CMK: CheckovSkip = {
  id: 'CKV_AWS_158',
  comment: 'CloudWatch Logs encrypts at rest with its own keys; the logs hold no secrets or personal data (tested), so a customer managed key adds cost and key administration only.',
};
