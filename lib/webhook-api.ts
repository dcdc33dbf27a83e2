import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
  type IResource,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ROUTES, type FunctionName } from './topology';

export interface WebhookApiProps {
  prefix: string;
  stage: string;
  functions: ReadonlyMap<FunctionName, IFunction>;
  logRetentionDays: number;
  removalPolicy: RemovalPolicy;
}

/** Gateway errors (unknown route, throttling, oversize body) answer in the same problem+json as the handlers. */
const PROBLEM_TEMPLATE = JSON.stringify({
  type: 'https://retail-sync.dev/problems/gateway',
  title: '$context.error.responseType',
  status: '$context.error.responseType',
  detail: '$context.error.messageString',
});

/** The HTTP API: webhook intake (signature checked in the handler) and IAM-protected read APIs. */
export class WebhookApi extends Construct {
  readonly api: RestApi;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays as RetentionDays,
      removalPolicy: props.removalPolicy,
    });
    this.api = new RestApi(this, 'Api', {
      restApiName: `${props.prefix}-api`,
      description: 'Retail sync backbone: webhooks in, authoritative status out',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      cloudWatchRole: false,
      deployOptions: {
        stageName: props.stage,
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.OFF,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        throttlingRateLimit: 1000,
        throttlingBurstLimit: 2000,
      },
    });
    for (const type of [ResponseType.DEFAULT_4XX, ResponseType.DEFAULT_5XX]) {
      this.api.addGatewayResponse(`Problem${type.responseType}`, {
        type,
        templates: { 'application/json': PROBLEM_TEMPLATE.replace('"status":"$context.error.responseType"', '"status":"$context.status"') },
        responseHeaders: { 'content-type': "'application/problem+json'" },
      });
    }

    for (const route of ROUTES) {
      const resource = route.path
        .split('/')
        .filter(Boolean)
        .reduce<IResource>((parent, part) => parent.getResource(part) ?? parent.addResource(part), this.api.root);
      resource.addMethod(route.method, new LambdaIntegration(props.functions.get(route.function)!), {
        authorizationType: route.authorization === 'iam' ? AuthorizationType.IAM : AuthorizationType.NONE,
      });
    }
  }
}
