/**
 * `npm run bench:coldstart`: the module-load cost of every function as `cdk synth` bundles it. For each
 * Lambda function of the synthesized template (resources with `aws:asset:path`), it loads the bundle's
 * `index.js` in fresh Node.js processes (one discarded warm-up, then `--runs`, default 7) with the
 * function's environment from the template (tokens replaced by dummies, plus the variables the Lambda
 * runtime sets) and times the `require`. The floor is a bundle built here, with the same esbuild
 * options as the stack, from a generated entry that imports exactly the `@aws-sdk/*` packages the
 * function's bundle requires and nothing else, loaded the same way; a second floor also constructs one
 * client of each `@aws-sdk/client-*` package among them (and a document client over DynamoDB's with
 * `lib-dynamodb`), as any function that uses those services does at init. It prints bundle size, median load,
 * floor, ratio (wall-clock, the target's) and the same from CPU time (user + system, which other jobs on a
 * busy machine do not inflate), and whether each function meets the targets (ratio ≤ 1.25, bundle ≤ 500 kB); it never
 * fails on them. `--analyse` adds the largest packages of each bundle (esbuild metafile of the same
 * entry and options). `--without-tracer` also builds each function from the current sources with the
 * Powertools tracer (and so the X-Ray SDK) replaced by a no-op, and loads it in the same runs: what the
 * tracer costs, measured, not shipped. `--breakdown` tells where each function's load goes: it builds
 * the function again with the same options but unminified (esbuild then marks where each source file's
 * code starts), puts a clock reading at each of those marks, times every `@aws-sdk/*` require apart, and
 * prints the median time per part over the same runs: compiling the bundle, the AWS SDK packages, each
 * package, and the project's own folders (a module's top-level code: its schemas, constants, and for
 * the handler file the wiring, clients constructed included); and, in the same runs, the shipped bundle
 * loaded without the functions' `--enable-source-maps`, whose difference is what reading the source map
 * at load costs. `--json` prints one JSON object instead.
 * Nothing calls AWS: module init only.
 */
import { parseBenchArgs } from './figures';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync, type BuildOptions } from 'esbuild';
import { entryOf, FUNCTIONS, type FunctionName } from '../lib/topology';

const ROOT = path.resolve(__dirname, '..');
let CDK_OUT = path.join(ROOT, 'cdk.out');
const RATIO_TARGET = 1.25;
const SIZE_TARGET_BYTES = 500_000;

const { values } = parseBenchArgs(
  {
    runs: { type: 'string', default: '7' },
    only: { type: 'string' },
    'cdk-out': { type: 'string' },
    baseline: { type: 'string' },
    analyse: { type: 'boolean', default: false },
    'without-tracer': { type: 'boolean', default: false },
    breakdown: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
  'Usage: npm run bench:coldstart -- [--runs 7] [--only <functionName>] [--cdk-out <dir>] [--baseline <dir>] [--analyse] [--without-tracer] [--breakdown] [--json]',
);
const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) {
  console.error('Usage: npm run bench:coldstart -- [--runs 7] [--only <functionName>] [--cdk-out <dir>] [--baseline <dir>] [--analyse] [--without-tracer] [--breakdown] [--json]');
  process.exit(2);
}
const say = (line: string) => {
  if (!values.json) console.log(line);
};

/** The newest modification time under the given paths (files the bundles are built from). */
const newestMtime = (paths: string[]): number => {
  let newest = 0;
  const visit = (p: string) => {
    const stat = fs.statSync(p);
    if (stat.isDirectory()) fs.readdirSync(p).forEach((child) => visit(path.join(p, child)));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  paths.forEach((p) => fs.existsSync(p) && visit(path.join(ROOT, p)));
  return newest;
};

const ensureSynth = (): string | undefined => {
  if (values['cdk-out']) {
    // A copy kept aside (e.g. the bundles before a change), measured as it is: inside the project, so the
    // bundles find @aws-sdk/* in its node_modules as they find it in the Lambda runtime.
    CDK_OUT = path.resolve(values['cdk-out']);
    return undefined;
  }
  const template = fs.existsSync(CDK_OUT) ? fs.readdirSync(CDK_OUT).find((f) => f.endsWith('.template.json')) : undefined;
  const reason = !template
    ? 'cdk.out is missing'
    : fs.statSync(path.join(CDK_OUT, template)).mtimeMs < newestMtime(['functions', 'lib', 'bin', 'package-lock.json', 'cdk.json'])
      ? 'cdk.out is older than the sources'
      : undefined;
  if (!reason) return undefined;
  say(`${reason}: running npx cdk synth --quiet …`);
  const synth = spawnSync('npx', ['cdk', 'synth', '--quiet'], { cwd: ROOT, stdio: values.json ? 'ignore' : 'inherit' });
  if (synth.status !== 0) throw new Error('cdk synth failed');
  return reason;
};

type Template = { Resources: Record<string, { Type: string; Metadata?: Record<string, string>; Properties: Record<string, any> }> };

/** Resolves CloudFormation values to strings: references become dummies, joins are joined. */
const dummy = (value: unknown): string => {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const object = value as Record<string, any>;
  if (object?.Ref) return object.Ref.startsWith('AWS::') ? 'us-east-1' : `https://sqs.us-east-1.amazonaws.com/123456789012/dummy-${object.Ref}`;
  if (object?.['Fn::GetAtt']) return `arn:aws:states:us-east-1:123456789012:stateMachine:dummy-${[object['Fn::GetAtt']].flat()[0]}`;
  if (object?.['Fn::Join']) return (object['Fn::Join'][1] as unknown[]).map(dummy).join(object['Fn::Join'][0]);
  if (object?.['Fn::Select']) return 'dummy';
  return 'dummy';
};

interface Subject {
  name: string;
  /** The cdk.out it was synthesized into (the measured one, or `--baseline`). */
  tree: string;
  assetDir: string;
  environment: Record<string, string>;
}

const subjectsOf = (cdkOut: string): Subject[] => {
  const templateFile = fs.readdirSync(cdkOut).find((f) => f.endsWith('.template.json'))!;
  const template = JSON.parse(fs.readFileSync(path.join(cdkOut, templateFile), 'utf8')) as Template;
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['aws:asset:path'])
    .map(([logicalId, r]) => {
      const functionName = typeof r.Properties.FunctionName === 'string' ? r.Properties.FunctionName : logicalId;
      const variables = Object.fromEntries(Object.entries(r.Properties.Environment?.Variables ?? {}).map(([k, v]) => [k, dummy(v)]));
      return {
        tree: cdkOut,
        name: (Object.keys(FUNCTIONS) as FunctionName[]).find((fn) => functionName.endsWith(`-${fn}`)) ?? functionName,
        assetDir: path.join(cdkOut, r.Metadata!['aws:asset:path']),
        environment: {
          // What the Lambda runtime sets; dummies, so nothing could reach AWS (and module init does not try).
          AWS_REGION: 'us-east-1',
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'AKIDUMMY',
          AWS_SECRET_ACCESS_KEY: 'dummy',
          AWS_SESSION_TOKEN: 'dummy',
          AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
          AWS_LAMBDA_FUNCTION_NAME: functionName,
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(r.Properties.MemorySize ?? 128),
          AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          ...variables,
        },
      };
    })
    .filter((s) => !values.only || s.name === values.only)
    .sort((a, b) => a.name.localeCompare(b.name));
};

/** The same esbuild options `lib/handler-functions.ts` gives NodejsFunction. */
const BUILD_OPTIONS = {
  bundle: true,
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  format: 'cjs' as const,
  platform: 'node' as const,
  target: 'node22',
  external: ['@aws-sdk/*'],
  logLevel: 'silent' as const,
} satisfies BuildOptions;

/** Where the bench builds what it measures for a function, beside the tree it measures. */
const workDirOf = (subject: Subject): string => {
  const dir = path.join(subject.tree, 'bench-coldstart', subject.name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
};

/** The floor: a bundle of the `@aws-sdk/*` packages the function's bundle requires, and no logic. */
const buildFloor = (subject: Subject, sdkPackages: string[]): string => {
  const dir = workDirOf(subject);
  const entry = path.join(dir, 'entry.js');
  fs.writeFileSync(entry, sdkPackages.map((p) => `require(${JSON.stringify(p)});\n`).join('') + 'exports.handler = async () => undefined;\n');
  buildSync({ ...BUILD_OPTIONS, entryPoints: [entry], outfile: path.join(dir, 'index.js') });
  return path.join(dir, 'index.js');
};

/**
 * The floor with clients: the same packages, and one client of each `@aws-sdk/client-*` package
 * constructed with the defaults (plus a document client when `lib-dynamodb` is among them): what any
 * function that uses these services pays at init, before any logic of its own.
 */
const buildFloorWithClients = (subject: Subject, sdkPackages: string[]): string => {
  const dir = workDirOf(subject);
  const entry = path.join(dir, 'entry-clients.js');
  const construct = sdkPackages.map((p) =>
    p.startsWith('@aws-sdk/client-')
      ? `{ const m = require(${JSON.stringify(p)}); const name = Object.keys(m).find((k) => /^[A-Z][A-Za-z0-9]*Client$/.test(k)); clients[${JSON.stringify(p)}] = new m[name]({}); }\n`
      : p === '@aws-sdk/lib-dynamodb'
        ? `require("@aws-sdk/lib-dynamodb").DynamoDBDocumentClient.from(clients["@aws-sdk/client-dynamodb"]);\n`
        : `require(${JSON.stringify(p)});\n`,
  );
  fs.writeFileSync(entry, 'const clients = {};\n' + construct.join('') + 'exports.handler = async () => clients;\n');
  buildSync({ ...BUILD_OPTIONS, entryPoints: [entry], outfile: path.join(dir, 'floor-clients.js') });
  return path.join(dir, 'floor-clients.js');
};

/** A stand-in for @aws-lambda-powertools/tracer (and its middleware) that loads nothing and records nothing. */
const NO_OP_TRACER = `exports.Tracer = class { captureAWSv3Client(client) { return client; } };
exports.captureLambdaHandler = () => ({ before() {} });
`;

/** The function built from the current sources as the stack builds it, but with the no-op tracer. */
const buildUntraced = (subject: Subject): string => {
  const dir = workDirOf(subject);
  const stub = path.join(dir, 'no-op-tracer.js');
  fs.writeFileSync(stub, NO_OP_TRACER);
  const outfile = path.join(dir, 'untraced.js');
  buildSync({
    ...BUILD_OPTIONS,
    entryPoints: [path.join(ROOT, entryOf(subject.name as FunctionName))],
    outfile,
    alias: { '@aws-lambda-powertools/tracer/middleware': stub, '@aws-lambda-powertools/tracer': stub },
  });
  return outfile;
};

/**
 * The function built as the stack builds it but unminified, with a clock reading where each source
 * file's code starts (esbuild's \`// path\` comment before it, at top level or inside a lazy module's
 * wrapper: a statement boundary either way).
 */
const buildMarked = (subject: Subject): string => {
  const dir = workDirOf(subject);
  const outfile = path.join(dir, 'marked.js');
  const { outputFiles } = buildSync({ ...BUILD_OPTIONS, minify: false, sourcemap: false, write: false, outfile, entryPoints: [path.join(ROOT, entryOf(subject.name as FunctionName))] });
  const lines = outputFiles[0]!.text.split('\n').flatMap((line) => {
    const source = /^\s*\/\/ (\S+\.(?:ts|js|mjs|cjs))$/.exec(line)?.[1];
    return source ? [`globalThis.__benchMark(${JSON.stringify(source)});`, line] : [line];
  });
  fs.writeFileSync(outfile, [...lines, 'globalThis.__benchMark("(end)");'].join('\n'));
  return outfile;
};

/** What a part of a function's load is called in the breakdown: a package, or a folder of the project. */
const partOf = (source: string) => {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(source)?.[1];
  if (pkg) return pkg;
  const parts = source.replace(/^(\.\.\/)+/, '').split('/');
  return parts.at(-1) === 'handler.ts' ? `${parts.slice(0, -1).join('/')}/handler.ts (wiring, clients constructed)` : parts.slice(0, -1).join('/') || source;
};

/**
 * Loads a marked bundle: between two marks, the time of the code from the earlier mark's source file,
 * less what \`@aws-sdk/*\` requires inside it took, which is counted apart.
 */
const MARKED_LOADER = `
const Module = require('node:module');
const sdkOwn = { ms: 0, depth: 0 };
const originalRequire = Module.prototype.require;
Module.prototype.require = function (id) {
  if (!id.startsWith('@aws-sdk/') || sdkOwn.depth > 0) return originalRequire.apply(this, arguments);
  const started = performance.now();
  sdkOwn.depth++;
  try { return originalRequire.apply(this, arguments); } finally { sdkOwn.depth--; sdkOwn.ms += performance.now() - started; }
};
const parts = {};
let last = { source: '(compile)', at: performance.now(), sdkMs: 0 };
globalThis.__benchMark = (source) => {
  const at = performance.now();
  parts[last.source] = (parts[last.source] ?? 0) + (at - last.at) - (sdkOwn.ms - last.sdkMs);
  last = { source, at, sdkMs: sdkOwn.ms };
};
const started = performance.now();
require(process.argv[1]);
process.stdout.write(JSON.stringify({ ms: performance.now() - started, sdkMs: sdkOwn.ms, parts }));
`;

/** Runs a loader script on a bundle in a fresh Node.js process with the function's environment; what it printed. */
const runLoader = <T>(script: string, file: string, environment: Record<string, string>): T => {
  const run = spawnSync(process.execPath, ['-e', script, file], { cwd: path.dirname(file), env: { PATH: process.env.PATH, HOME: process.env.HOME, ...environment }, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`loading ${file} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout) as T;
};

/** One load of a marked bundle: its total, the @aws-sdk requires, and the time per part. */
const loadMarked = (file: string, environment: Record<string, string>): { ms: number; parts: Record<string, number> } => {
  const { ms, sdkMs, parts } = runLoader<{ ms: number; sdkMs: number; parts: Record<string, number> }>(MARKED_LOADER, file, environment);
  const grouped: Record<string, number> = { 'AWS SDK packages (@aws-sdk/* require)': sdkMs };
  for (const [source, partMs] of Object.entries(parts)) {
    const part = source === '(compile)' ? '(compile: read and compile the bundle)' : partOf(source);
    grouped[part] = (grouped[part] ?? 0) + partMs;
  }
  return { ms, parts: grouped };
};

const LOADER = `
const started = process.hrtime.bigint();
const cpuStarted = process.cpuUsage();
const loaded = require(process.argv[1]);
const ms = Number(process.hrtime.bigint() - started) / 1e6;
const cpu = process.cpuUsage(cpuStarted);
const cpuMs = (cpu.user + cpu.system) / 1e3;
if (typeof loaded.handler !== 'function') throw new Error('no handler export');
const sdkPackages = [...new Set(Object.keys(require.cache).map((f) => /node_modules[\\/](@aws-sdk[\\/][^\\/]+)/.exec(f)?.[1]).filter(Boolean))];
process.stdout.write(JSON.stringify({ ms, cpuMs, sdkPackages }));
`;

interface Load {
  /** Wall-clock milliseconds of the `require`. */
  ms: number;
  /** CPU milliseconds (user + system) the process spent in it: what a busy machine's other jobs do not add to. */
  cpuMs: number;
}

/** Loads a bundle in a fresh Node.js process: the time `require` took, and every @aws-sdk package it loaded. */
const load = (file: string, environment: Record<string, string>) => runLoader<Load & { sdkPackages: string[] }>(LOADER, file, environment);
const loadOnce = (file: string, environment: Record<string, string>): Load => {
  const { ms, cpuMs } = load(file, environment);
  return { ms, cpuMs };
};

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The largest packages (or project folders) in the function's bundle, from an esbuild metafile. */
const analyse = (name: string) => {
  const { metafile } = buildSync({ ...BUILD_OPTIONS, entryPoints: [path.join(ROOT, entryOf(name as FunctionName))], write: false, outdir: os.tmpdir(), metafile: true });
  const output = Object.values(metafile!.outputs).find((o) => o.entryPoint)!;
  const byGroup = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const group = match ? match[1] : input.split('/').slice(0, 2).join('/');
    byGroup.set(group, (byGroup.get(group) ?? 0) + bytesInOutput);
  }
  return [...byGroup].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([group, bytes]) => ({ group, bytes }));
};

/** Median per part over the runs, largest first, with the median total of the same (unminified) loads. */
const breakdownOf = (loads: Array<{ ms: number; parts: Record<string, number> }>) => {
  const names = [...new Set(loads.flatMap((l) => Object.keys(l.parts)))];
  const parts = names
    .map((part) => ({ part, msMedian: round(median(loads.map((l) => l.parts[part] ?? 0))) }))
    .sort((a, b) => b.msMedian - a.msMedian);
  return { unminifiedLoadMsMedian: round(median(loads.map((l) => l.ms))), parts };
};

const main = () => {
  const synthesized = ensureSynth();
  // With --baseline, both trees are measured in the same interleaved runs, so a busy machine slows both alike.
  const baseline = values.baseline ? path.resolve(values.baseline) : undefined;
  const subjects = [...(baseline ? subjectsOf(baseline) : []), ...subjectsOf(CDK_OUT)];
  // One discarded warm-up each (file cache), which also tells which @aws-sdk packages the bundle loads at
  // init: the floor requires those of them the bundle requires itself (a client it requires only when
  // first used, and does not load at init, is not part of its module load).
  const measured = subjects.map((subject) => {
    const file = path.join(subject.assetDir, 'index.js');
    const required = new Set([...fs.readFileSync(file, 'utf8').matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1]));
    const sdkPackages = load(file, subject.environment).sdkPackages.filter((p) => required.has(p)).sort();
    const floorFile = buildFloor(subject, sdkPackages);
    loadOnce(floorFile, subject.environment);
    const clientsFloorFile = buildFloorWithClients(subject, sdkPackages);
    loadOnce(clientsFloorFile, subject.environment);
    const untracedFile = values['without-tracer'] && subject.tree === CDK_OUT ? buildUntraced(subject) : undefined;
    if (untracedFile) loadOnce(untracedFile, subject.environment);
    const markedFile = values.breakdown && subject.tree === CDK_OUT ? buildMarked(subject) : undefined;
    if (markedFile) loadMarked(markedFile, subject.environment);
    const markedLoads: Array<ReturnType<typeof loadMarked>> = [];
    const withoutSourceMaps = { ...subject.environment, NODE_OPTIONS: (subject.environment.NODE_OPTIONS ?? '').replace('--enable-source-maps', '').trim() };
    return { subject, file, bytes: fs.statSync(file).size, sdkPackages, floorFile, clientsFloorFile, untracedFile, markedFile, markedLoads, withoutSourceMaps, noMapLoads: [] as Load[], loads: [] as Load[], floorLoads: [] as Load[], clientsFloorLoads: [] as Load[], untracedLoads: [] as Load[] };
  });
  // The runs interleaved, so drift in the machine's load hits all alike.
  const loadAverageStart = os.loadavg();
  for (let run = 0; run < RUNS; run++) {
    for (const m of measured) {
      m.loads.push(loadOnce(m.file, m.subject.environment));
      m.floorLoads.push(loadOnce(m.floorFile, m.subject.environment));
      m.clientsFloorLoads.push(loadOnce(m.clientsFloorFile, m.subject.environment));
      if (m.untracedFile) m.untracedLoads.push(loadOnce(m.untracedFile, m.subject.environment));
      if (m.markedFile) {
        m.markedLoads.push(loadMarked(m.markedFile, m.subject.environment));
        m.noMapLoads.push(loadOnce(m.file, m.withoutSourceMaps));
      }
    }
  }
  const loadAverageEnd = os.loadavg();
  const wall = (loads: Load[]) => loads.map((l) => l.ms);
  const cpu = (loads: Load[]) => loads.map((l) => l.cpuMs);
  const rows = measured.map((m) => {
    const loadMs = median(wall(m.loads));
    const floorMs = median(wall(m.floorLoads));
    const ratio = loadMs / floorMs;
    const cpuMs = median(cpu(m.loads));
    const floorCpuMs = median(cpu(m.floorLoads));
    return {
      function: m.subject.name,
      tree: path.relative(ROOT, m.subject.tree),
      bundleBytes: m.bytes,
      loadMsMedian: round(loadMs),
      floorMsMedian: round(floorMs),
      ratio: round(ratio, 2),
      meetsRatio: ratio <= RATIO_TARGET,
      meetsSize: m.bytes <= SIZE_TARGET_BYTES,
      sdkPackages: m.sdkPackages,
      loadsMs: wall(m.loads).map((x) => round(x)),
      floorLoadsMs: wall(m.floorLoads).map((x) => round(x)),
      cpuMsMedian: round(cpuMs),
      floorCpuMsMedian: round(floorCpuMs),
      cpuRatio: round(cpuMs / floorCpuMs, 2),
      // Against the floor that also constructs the clients; the target's ratio stays the one above.
      withClients: {
        floorMsMedian: round(median(wall(m.clientsFloorLoads))),
        floorCpuMsMedian: round(median(cpu(m.clientsFloorLoads))),
        ratio: round(loadMs / median(wall(m.clientsFloorLoads)), 2),
        cpuRatio: round(cpuMs / median(cpu(m.clientsFloorLoads)), 2),
        ...(m.untracedFile
          ? {
              withoutTracerRatio: round(median(wall(m.untracedLoads)) / median(wall(m.clientsFloorLoads)), 2),
              withoutTracerCpuRatio: round(median(cpu(m.untracedLoads)) / median(cpu(m.clientsFloorLoads)), 2),
            }
          : {}),
      },
      ...(m.untracedFile
        ? {
            withoutTracer: {
              bundleBytes: fs.statSync(m.untracedFile).size,
              loadMsMedian: round(median(wall(m.untracedLoads))),
              ratio: round(median(wall(m.untracedLoads)) / floorMs, 2),
              cpuMsMedian: round(median(cpu(m.untracedLoads))),
              cpuRatio: round(median(cpu(m.untracedLoads)) / floorCpuMs, 2),
              loadsMs: wall(m.untracedLoads).map((x) => round(x)),
            },
          }
        : {}),
      ...(values.analyse ? { largest: analyse(m.subject.name) } : {}),
      ...(m.markedFile
        ? {
            breakdown: {
              ...breakdownOf(m.markedLoads),
              withoutSourceMapsLoadMsMedian: round(median(wall(m.noMapLoads))),
              sourceMapsMs: round(loadMs - median(wall(m.noMapLoads))),
              withoutSourceMapsCpuMsMedian: round(median(cpu(m.noMapLoads))),
              sourceMapsCpuMs: round(cpuMs - median(cpu(m.noMapLoads))),
            },
          }
        : {}),
    };
  });
  const result = {
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()} ${os.release()}` },
    // 1-minute load average when the timed runs started and ended: above the core count, wall times wait for a CPU.
    loadAverage: { start: round(loadAverageStart[0], 2), end: round(loadAverageEnd[0], 2) },
    runs: RUNS,
    synthesized: synthesized ?? 'cdk.out was current',
    targets: { ratio: RATIO_TARGET, bundleBytes: SIZE_TARGET_BYTES },
    functions: rows.filter((r) => r.tree === path.relative(ROOT, CDK_OUT)),
    ...(baseline ? { baseline: rows.filter((r) => r.tree === path.relative(ROOT, baseline)) } : {}),
  };
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  say(`Module load of each bundle in cdk.out, median of ${RUNS} fresh Node.js ${process.version} processes (${os.cpus().length} cores, load average ${result.loadAverage.start} → ${result.loadAverage.end}); floor = the same @aws-sdk/* packages alone. CPU: user + system time of the same loads.`);
  say('');
  say('| function | tree | bundle | load (median) | floor | ratio | CPU: load / floor (ratio) | ratio ≤ 1.25 | ≤ 500 kB | @aws-sdk packages |');
  say('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of [...rows].sort((a, b) => a.function.localeCompare(b.function) || (a.tree === path.relative(ROOT, CDK_OUT) ? 1 : -1))) {
    say(
      `| ${r.function} | ${r.tree} | ${round(r.bundleBytes / 1000)} kB | ${r.loadMsMedian} ms | ${r.floorMsMedian} ms | ${r.ratio.toFixed(2)} | ${r.cpuMsMedian} / ${r.floorCpuMsMedian} ms (${r.cpuRatio.toFixed(2)}) | ${r.meetsRatio ? 'yes' : 'no'} | ${r.meetsSize ? 'yes' : 'no'} | ${r.sdkPackages.map((p) => p.replace('@aws-sdk/', '')).join(', ') || '—'} |`,
    );
  }
  const current = result.functions;
  const misses = current.filter((r) => !r.meetsRatio || !r.meetsSize).length;
  say('');
  say(`${current.length - misses} of ${current.length} functions of ${path.relative(ROOT, CDK_OUT)} meet both targets.`);
  say('');
  say('Against a floor that also constructs one client of each @aws-sdk/client-* package (what any function using those services pays at init; the target above is against the packages alone):');
  for (const r of current) {
    const w = r.withClients;
    say(
      `${r.function}: floor with clients ${w.floorMsMedian} ms (CPU ${w.floorCpuMsMedian} ms), ratio ${w.ratio.toFixed(2)} (CPU ${w.cpuRatio.toFixed(2)})${w.withoutTracerRatio !== undefined ? `; without the tracer ${w.withoutTracerRatio.toFixed(2)} (CPU ${w.withoutTracerCpuRatio!.toFixed(2)})` : ''}`,
    );
  }
  if (values['without-tracer']) {
    say('');
    say('Without the Powertools tracer (a no-op in its place, built from the current sources; measured in the same runs, not shipped):');
    for (const r of current) {
      if (r.withoutTracer) {
        const w = r.withoutTracer;
        say(`${r.function}: ${round(w.bundleBytes / 1000)} kB, ${w.loadMsMedian} ms, ratio ${w.ratio.toFixed(2)} (CPU ${w.cpuMsMedian} ms, ratio ${w.cpuRatio.toFixed(2)})`);
      }
    }
  }
  if (values.breakdown) {
    say('');
    say('Where the load goes (the same build unminified, marked where each source file starts; median per part over the same runs; parts of 1 ms or more):');
    for (const r of current) {
      if (!r.breakdown) continue;
      const shown = r.breakdown.parts.filter((p) => p.msMedian >= 1);
      say(`${r.function} (${r.breakdown.unminifiedLoadMsMedian} ms): ${shown.map((p) => `${p.part} ${p.msMedian}`).join('; ')}`);
      say(
        `  shipped bundle without --enable-source-maps: ${r.breakdown.withoutSourceMapsLoadMsMedian} ms, CPU ${r.breakdown.withoutSourceMapsCpuMsMedian} ms (source maps: ${r.breakdown.sourceMapsMs} of its ${r.loadMsMedian} ms, CPU ${r.breakdown.sourceMapsCpuMs} of ${r.cpuMsMedian} ms; a difference of medians, so it can come out below 0 on a busy machine)`,
      );
    }
  }
  if (values.analyse) {
    for (const r of current) say(`${r.function}: ${r.largest!.map((l) => `${l.group} ${round(l.bytes / 1000)} kB`).join(', ')}`);
  }
};

main();
