import { execFileSync } from 'node:child_process';
import * as os from 'node:os';

/** The value at percentile `p` of ascending `sorted` (nearest rank), NaN when empty. */
export const percentile = (sorted: readonly number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** p50, p99, mean and max of durations in milliseconds, rounded to 0.01 ms. */
export const durationFigures = (durations: readonly number[]) => {
  const sorted = [...durations].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(sorted.length, 1);
  return { p50Ms: round(percentile(sorted, 50)), p99Ms: round(percentile(sorted, 99)), meanMs: round(mean), maxMs: round(sorted.at(-1) ?? NaN) };
};

/** Where and when a figure was measured: the machine, the date and the commit (and whether the tree had changes). */
export const measuredOn = () => {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    commit: git('rev-parse', 'HEAD') ?? 'unknown',
    uncommittedChanges: (git('status', '--porcelain', '--untracked-files=no') ?? '') !== '',
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      memoryBytes: os.totalmem(),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
      loadAverage1m: round(os.loadavg()[0] ?? 0),
    },
  };
};

/** Parses a whole number option of at least `min`, or says which option is wrong. */
export const wholeNumberOption = (name: string, value: string | undefined, min = 1): number => {
  const number = Number(value);
  if (value === undefined || !Number.isInteger(number) || number < min) throw new Error(`--${name} must be a whole number of at least ${min}; got ${JSON.stringify(value)}.`);
  return number;
};

/**
 * Runs a bench from the command line: options from `parse` (a bad one prints its message and the usage,
 * exit 2), then `main`, exit 0 when it found no problem, 1 when it did or failed.
 */
export const runBench = <O>(name: string, usage: string, parse: (args: string[]) => O, main: (options: O) => Promise<boolean>) => {
  let options: O;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    process.exit(2);
  }
  main(options)
    .then((ok) => process.exit(ok ? 0 : 1))
    .catch((error: Error) => {
      console.error(`${name} failed: ${error.stack ?? error.message}`);
      process.exit(1);
    });
};
