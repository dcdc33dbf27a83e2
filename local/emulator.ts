import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

const PROJECT_ROOT = path.join(__dirname, '..');
const VENV = path.join(PROJECT_ROOT, '.venv');
const MOTO_SERVER = path.join(VENV, 'bin', 'moto_server');

/** Creates the project-local Python environment with the pinned emulator, once. */
export const ensureMotoInstalled = (log: (line: string) => void = console.log): string => {
  if (existsSync(MOTO_SERVER)) return MOTO_SERVER;
  log('Installing the AWS emulator (moto) into .venv, once…');
  const python = process.env.PYTHON ?? 'python3';
  const steps: string[][] = [
    [python, '-m', 'venv', VENV],
    [path.join(VENV, 'bin', 'pip'), 'install', '--quiet', '--disable-pip-version-check', '-r', path.join(PROJECT_ROOT, 'requirements-emulator.txt')],
  ];
  for (const [command, ...args] of steps) {
    const result = spawnSync(command!, args, { stdio: 'inherit' });
    if (result.status !== 0) {
      throw new Error(`Could not install the AWS emulator: "${command} ${args.join(' ')}" exited with ${result.status ?? result.error?.message}. Python 3 with venv and access to PyPI are required.`);
    }
  }
  return MOTO_SERVER;
};

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

export const isMotoUp = async (endpoint: string): Promise<boolean> => {
  try {
    const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
    return response.ok;
  } catch {
    return false;
  }
};

export interface RunningEmulator {
  endpoint: string;
  stop(): Promise<void>;
}

/** Starts moto in server mode on 127.0.0.1 and resolves when it answers. */
export const startMoto = async (options: { port?: number; log?: (line: string) => void } = {}): Promise<RunningEmulator> => {
  const binary = ensureMotoInstalled(options.log);
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  // moto's own threaded server loses SQS messages under concurrent send/delete; serve serially.
  const python = path.join(path.dirname(binary), 'python');
  const child: ChildProcess = spawn(python, [path.join(__dirname, 'moto_server_serial.py'), '127.0.0.1', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const deadline = Date.now() + 30_000;
  while (!(await isMotoUp(endpoint))) {
    if (child.exitCode !== null) throw new Error(`The AWS emulator exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`The AWS emulator did not answer on ${endpoint} within 30 s: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
};

/** Environment that points the AWS SDK v3 at the emulator with dummy credentials. */
export const emulatorEnvironment = (endpoint: string): Record<string, string> => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_ACCOUNT_ID: '123456789012',
  // Local development may run on Node 20; deployed functions run on nodejs22.x.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});
