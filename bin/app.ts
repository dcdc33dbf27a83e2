#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readStageConfig, StageConfigError } from '../lib/config';
import { RetailSyncStack } from '../lib/retail-sync-stack';

const app = new App();
const readConfig = () => {
  try {
    return readStageConfig(app.node.getAllContext());
  } catch (error) {
    // One line per problem, no stack trace: the message says what to change.
    if (error instanceof StageConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
};
const config = readConfig();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

new RetailSyncStack(app, `RetailSync-${config.stage}`, {
  config,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Retail sync backbone: keeps the ERP and the service desk consistent',
});
