/**
 * The product's workflows as data: each is an Amazon States Language file under `workflows/` whose
 * `${Name}` placeholders the CDK stack (`definitionSubstitutions`) and the local stack fill the same
 * way, so the definition that runs locally on the emulator is the one deployed. No CDK import here.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export type WorkflowName = 'refundOrReplacement';

export interface WorkflowSpec {
  /** ASL file, from the project root. */
  file: string;
  /** Part of the state machine's name and of every execution's id. */
  slug: string;
  description: string;
}

export const WORKFLOWS: Record<WorkflowName, WorkflowSpec> = {
  refundOrReplacement: {
    file: 'workflows/refund-or-replacement.asl.json',
    slug: 'refund-or-replacement',
    description: 'Refund or replacement of lines of a shipped order: eligibility, return authorization, replacement or refund, case milestones',
  },
};

/** What a definition's placeholders stand for. */
export interface WorkflowSubstitutions {
  /** The queue the workflow-steps worker consumes (milestones, eligibility, inventory, returns, exceptions). */
  WorkflowStepsQueueUrl: string;
  /** The ERP command queue (FIFO): ERP writes pass its dispatcher, rate budget and breaker. */
  ErpCommandQueueUrl: string;
}

const PLACEHOLDER = /\$\{(\w+)\}/g;

const PROJECT_ROOT = path.join(__dirname, '..');

export const readDefinition = (workflow: WorkflowName): string => readFileSync(path.join(PROJECT_ROOT, WORKFLOWS[workflow].file), 'utf8');

/** The placeholders a definition uses, each once. */
export const placeholdersIn = (definition: string): string[] => [...new Set([...definition.matchAll(PLACEHOLDER)].map((match) => match[1]!))];

/** Fills a definition's placeholders as CloudFormation's DefinitionSubstitutions does; an unknown one is an error. */
export const substituteDefinition = (definition: string, values: WorkflowSubstitutions): string =>
  definition.replace(PLACEHOLDER, (_, name: string) => {
    const value = (values as unknown as Record<string, string | undefined>)[name];
    if (value === undefined) throw new Error(`The workflow definition uses \${${name}}, which nothing provides.`);
    return value;
  });
