/**
 * Bundles the console's front end (console/src, Preact and uPlot) with esbuild, in memory, when the
 * console starts: nothing is fetched from a CDN, so the console works offline.
 */
import * as path from 'node:path';
import { build } from 'esbuild';
import type { ConsoleAssets } from './server';

export const CONSOLE_ENTRY = path.join(__dirname, '..', '..', 'console', 'src', 'main.tsx');

export const bundleConsole = async (entry = CONSOLE_ENTRY): Promise<ConsoleAssets> => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    outdir: 'console-assets',
    entryNames: 'console',
    format: 'esm',
    target: 'es2020',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    loader: { '.css': 'css' },
    logLevel: 'silent',
  });
  const text = (extension: string) => result.outputFiles.find((file) => file.path.endsWith(extension))?.text ?? '';
  return { js: text('.js'), css: text('.css') };
};
