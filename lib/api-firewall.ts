import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { FIREWALL_MAX_CONTENT_LENGTH_DIGITS, FIREWALL_PROBLEMS, type FirewallProblem } from './gateway-problems';
import type { ResourceNames } from './topology';

export interface ApiFirewallProps {
  names: ResourceNames;
  /** ARN of the API's stage the web ACL protects. */
  stageArn: string;
  /** Requests per source IP per window on the webhook route before a 429; none: no rate rule. */
  webhookRateLimit?: { limit: number; windowSeconds: number };
}

const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({ cloudWatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });

/** A Block that answers with one of `FIREWALL_PROBLEMS` (its body is registered on the web ACL under the same key). */
const blockWith = (problem: FirewallProblem): CfnWebACL.RuleActionProperty => ({
  block: { customResponse: { responseCode: FIREWALL_PROBLEMS[problem].status, customResponseBodyKey: problem } },
});

/**
 * The web ACL in front of the API: what API Gateway itself cannot refuse in time. Its custom responses
 * take precedence over the API's gateway responses, so they carry the same problem documents.
 */
export class ApiFirewall extends Construct {
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: ApiFirewallProps) {
    super(scope, id);
    const rules: CfnWebACL.RuleProperty[] = [
      {
        // A request validator cannot check size and a body over 6 MB fails at the Lambda invoke as a 5xx;
        // WAF sees only the body's first KBs, but it sees the whole Content-Length header.
        name: 'body-over-invoke-limit',
        priority: 0,
        statement: {
          sizeConstraintStatement: {
            fieldToMatch: { singleHeader: { Name: 'content-length' } },
            comparisonOperator: 'GT',
            size: FIREWALL_MAX_CONTENT_LENGTH_DIGITS,
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
        action: blockWith('bodyTooLarge'),
        visibilityConfig: visibility('body-over-invoke-limit'),
      },
    ];
    if (props.webhookRateLimit) {
      rules.push({
        // Per IP: one sender's loop or a flood from one address is cut off, the other senders go on.
        name: 'webhook-rate-per-ip',
        priority: 1,
        statement: {
          rateBasedStatement: {
            limit: props.webhookRateLimit.limit,
            evaluationWindowSec: props.webhookRateLimit.windowSeconds,
            aggregateKeyType: 'IP',
            // CONTAINS: the path WAF sees starts with the stage (`/prod/v1/webhooks/…`) unless a custom domain maps it.
            scopeDownStatement: {
              byteMatchStatement: { fieldToMatch: { uriPath: {} }, positionalConstraint: 'CONTAINS', searchString: '/v1/webhooks/', textTransformations: [{ priority: 0, type: 'NONE' }] },
            },
          },
        },
        action: blockWith('rateLimited'),
        visibilityConfig: visibility('webhook-rate-per-ip'),
      });
    }
    rules.push({
      // AWS's managed rules for request patterns known to be malicious (Log4j lookups, Java deserialization,
      // exploitable paths): bodies here are JSON from known senders, so nothing legitimate matches them.
      name: 'known-bad-inputs',
      priority: 2,
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
      overrideAction: { none: {} },
      visibilityConfig: visibility('known-bad-inputs'),
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      name: props.names.webAcl,
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      customResponseBodies: Object.fromEntries(
        Object.entries(FIREWALL_PROBLEMS).map(([key, problem]) => [key, { contentType: 'APPLICATION_JSON', content: JSON.stringify(problem) }]),
      ),
      rules,
      visibilityConfig: visibility(props.names.webAcl),
    });
    new CfnWebACLAssociation(this, 'Association', { resourceArn: props.stageArn, webAclArn: this.webAcl.attrArn });
  }
}
