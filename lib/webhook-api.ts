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
import { LOG_GROUP_WITHOUT_CMK, skipCheckov } from './checkov';
import { GATEWAY_PROBLEMS, gatewayProblemTemplate } from './gateway-problems';
import { ROUTES, type FunctionName, type ResourceNames } from './topology';

export interface WebhookApiProps {
  names: ResourceNames;
  stage: string;
  functions: ReadonlyMap<FunctionName, IFunction>;
  logRetentionDays: number;
  removalPolicy: RemovalPolicy;
  /** How callers of the read and process routes authenticate (stage setting `readApiAuth`). */
  readApiAuth: 'iam' | 'apiKey';
  /** Steady rate (requests/s) and burst of the webhook route, and of every other route. */
  throttling: Record<'webhooks' | 'reads', { rateLimit: number; burstLimit: number }>;
}


/** The HTTP API: webhook intake (signature checked in the handler) and read and process routes behind IAM or an API key. */
export class WebhookApi extends Construct {
  readonly api: RestApi;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetentionDays as RetentionDays,
      removalPolicy: props.removalPolicy,
    });
    skipCheckov(accessLogs, LOG_GROUP_WITHOUT_CMK);
    this.api = new RestApi(this, 'Api', {
      restApiName: props.names.api,
      description: 'Retail sync backbone: webhooks in, authoritative status out',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Every body reaches the functions base64-encoded, byte for byte: a webhook's signature is checked
      // on the bytes the sender signed, and text that is not UTF-8 is refused (400) instead of mangled.
      binaryMediaTypes: ['*/*'],
      cloudWatchRole: false,
      deployOptions: {
        stageName: props.stage,
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.OFF,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.jsonWithStandardFields(),
        // The stage's limits apply to the read and process routes; the webhook route has its own, so
        // neither side's burst throttles the other.
        throttlingRateLimit: props.throttling.reads.rateLimit,
        throttlingBurstLimit: props.throttling.reads.burstLimit,
        methodOptions: Object.fromEntries(
          ROUTES.filter((route) => route.authorization === 'signature').map((route) => [
            `${route.path}/${route.method}`,
            { throttlingRateLimit: props.throttling.webhooks.rateLimit, throttlingBurstLimit: props.throttling.webhooks.burstLimit },
          ]),
        ),
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
      const byIam = route.authorization === 'caller' && props.readApiAuth === 'iam';
      const byApiKey = route.authorization === 'caller' && props.readApiAuth === 'apiKey';
      const method = resource.addMethod(route.method, new LambdaIntegration(props.functions.get(route.function)!), {
        authorizationType: byIam ? AuthorizationType.IAM : AuthorizationType.NONE,
        apiKeyRequired: byApiKey,
      });
      Validations.of(method).acknowledge({ id: 'AwsSolutions::AwsSolutions-COG4', reason: 'No Cognito: senders are systems authenticated by signature, readers by IAM or an API key.' });
      if (route.authorization !== 'caller') {
        skipCheckov(method, { id: 'CKV_AWS_59', comment: route.authorization === 'signature' ? 'Webhooks authenticate by signature, in the function.' : 'The health check is open on purpose.' });
      }
      if (!byIam) {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions::AwsSolutions-APIG4',
          reason: byApiKey
            ? 'The stage authenticates readers by an API key of its usage plan (readApiAuth: apiKey), for tools that cannot sign SigV4.'
            : route.authorization === 'signature'
              ? 'A webhook route authenticates the sender by its HMAC signature, checked in the function.'
              : 'Open on purpose: the health check (load balancers, uptime monitors) says only that the API is up, its stage and version; the OpenAPI document is public contract.',
        });
      }
    }
    if (props.readApiAuth === 'apiKey') this.addReaderKey(props.names);

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG2',
      reason: 'Webhook bodies are validated by zod in the function after the signature check, which needs the raw body.',
    });
    skipCheckov(this.api.deploymentStage, { id: 'CKV_AWS_120', comment: 'Answers are live state (sync status, stock, workflows); a cache would serve stale ones.' });
    Validations.of(this.api.deploymentStage).acknowledge(
      { id: 'AwsSolutions::AwsSolutions-APIG6', reason: 'Execution logging is off on purpose (it logs bodies); access logs are on.' },
    );
  }

  /**
   * A key only works through a usage plan on the stage. One key for the support tools; its value is
   * generated by API Gateway (never in the template): `aws apigateway get-api-key --include-value`.
   */
  private addReaderKey(names: ResourceNames) {
    const plan = this.api.addUsagePlan('Readers', {
      name: `${names.prefix}-readers`,
      description: 'Callers of the read and process routes, each with its own API key',
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    plan.addApiKey(this.api.addApiKey('SupportToolsKey', { apiKeyName: `${names.prefix}-support-tools` }));
  }
}
