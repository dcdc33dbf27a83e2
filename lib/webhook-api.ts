import { RemovalPolicy, Validations } from 'aws-cdk-lib';
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
import { GATEWAY_PROBLEMS, gatewayProblemTemplate } from './gateway-problems';
import { ROUTES, type FunctionName, type ResourceNames } from './topology';

export interface WebhookApiProps {
  names: ResourceNames;
  stage: string;
  functions: ReadonlyMap<FunctionName, IFunction>;
  logRetentionDays: number;
  removalPolicy: RemovalPolicy;
}


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
      restApiName: props.names.api,
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
    // Gateway errors (unknown route, throttling, oversize body) answer in the same problem+json as the
    // functions, each with the status it is sent with.
    for (const [responseType, problem] of Object.entries(GATEWAY_PROBLEMS)) {
      this.api.addGatewayResponse(`Problem${responseType}`, {
        type: ResponseType.of(responseType),
        statusCode: String(problem.status),
        templates: { 'application/json': gatewayProblemTemplate(problem) },
        responseHeaders: { 'content-type': "'application/problem+json'" },
      });
    }

    for (const route of ROUTES) {
      const resource = route.path
        .split('/')
        .filter(Boolean)
        .reduce<IResource>((parent, part) => parent.getResource(part) ?? parent.addResource(part), this.api.root);
      const method = resource.addMethod(route.method, new LambdaIntegration(props.functions.get(route.function)!), {
        authorizationType: route.authorization === 'iam' ? AuthorizationType.IAM : AuthorizationType.NONE,
      });
      Validations.of(method).acknowledge({ id: 'AwsSolutions::AwsSolutions-COG4', reason: 'No Cognito: senders are systems authenticated by signature, readers by IAM.' });
      if (route.authorization !== 'iam') {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions::AwsSolutions-APIG4',
          reason:
            route.authorization === 'signature'
              ? 'A webhook route authenticates the sender by its HMAC signature, checked in the function.'
              : 'Open on purpose: the health check (load balancers, uptime monitors) says only that the API is up, its stage and version; the OpenAPI document is public contract.',
        });
      }
    }

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG2',
      reason: 'Webhook bodies are validated by zod in the function after the signature check, which needs the raw body.',
    });
    Validations.of(this.api.deploymentStage).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-APIG3', reason: 'WAF is left to the deploying account; webhooks are authenticated by signature, reads by IAM.' },
      { id: 'AwsSolutions::AwsSolutions-APIG6', reason: 'Execution logging is off on purpose (it logs bodies); access logs are on.' },
    );
  }
}
