#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStageConfig } from '../lib/config';
import { RetailSyncStack } from '../lib/retail-sync-stack';

const app = new App();
const config = readStageConfig((key) => app.node.tryGetContext(key));
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

new RetailSyncStack(app, `RetailSync-${config.stage}`, {
  config,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Retail sync backbone: keeps the ERP and the service desk consistent',
});
