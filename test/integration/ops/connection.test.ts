import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { provisionLocalResources } from '../../../local/provision';
import { writeLocalStackFile } from '../../../local/stack-file';
import { run } from '../../../ops/cli';
import { uniqueStage, useEmulator } from '../../support/emulator';

describe('ops CLI connection', () => {
  let endpoint: string;
  let stage: string;
  let workDir: string;
  const savedEnv = { ...process.env };

  /** Runs the CLI the way an engineer's shell would, with no AWS settings at all in the environment. */
  const cliWithoutAwsSettings = async (args: string[], localStackFile = path.join(workDir, 'none.json')) => {
    for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
    Object.assign(process.env, { HOME: workDir, AWS_CONFIG_FILE: path.join(workDir, 'no-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(workDir, 'no-credentials') });
    const [out, err]: string[][] = [[], []];
    try {
      const code = await run(args, { stdout: (text) => out.push(text), stderr: (text) => err.push(text), progress: false, env: process.env, localStackFile });
      return { code, stdout: out.join(''), stderr: err.join('') };
    } finally {
      for (const name of Object.keys(process.env)) delete process.env[name];
      Object.assign(process.env, savedEnv);
    }
  };

  beforeAll(async () => {
    endpoint = useEmulator();
    Object.assign(savedEnv, process.env);
    stage = uniqueStage('ops-connection');
    await provisionLocalResources({ stage, signingSecrets: {}, emulatorEndpoint: endpoint });
    workDir = mkdtempSync(path.join(tmpdir(), 'ops-connection-'));
  }, 30_000);

  it('needs nothing but --endpoint against a local endpoint: region and credentials are implied', async () => {
    // Act
    const { code, stdout, stderr } = await cliWithoutAwsSettings(['ops', 'dlq', 'list', '--stage', stage, '--endpoint', endpoint]);

    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`retail-sync-${stage}-erp-commands-dlq.fifo`);
  });

  it('finds the running local stack of the stage from the file it leaves, with no endpoint given', async () => {
    // Prepare
    const localStackFile = path.join(workDir, 'local-stack.json');
    writeLocalStackFile({ endpoint, stage, region: 'us-east-1' }, localStackFile);

    // Act
    const { code, stdout, stderr } = await cliWithoutAwsSettings(['ops', 'dlq', 'list', '--stage', stage], localStackFile);

    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`retail-sync-${stage}-erp-commands-dlq.fifo`);
  });

  it('says that no queue of the stage exists in a wrong region, without listing every DLQ as missing', async () => {
    // Act
    const { code, stdout, stderr } = await cliWithoutAwsSettings(['ops', 'dlq', 'list', '--stage', stage, '--endpoint', endpoint, '--region', 'eu-west-3']);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`error: No queue of stage "${stage}" exists in eu-west-3: is the stage deployed in this region (--region), or the local stack running?\n`);
  });
});
