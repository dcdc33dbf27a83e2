/**
 * The schema library of every function: `zod/mini`, zod 4's tree-shakable functional API (the same
 * parser and checks as `zod`, without the method-chaining build, which is ~450 kB of every bundle that
 * imports it), with zod's English error messages, which `zod/mini` does not load by itself (without them
 * every issue would read "Invalid input"). Import it as a namespace, so esbuild keeps only what is used:
 *
 * @example
 * import * as z from '../zod';
 * const Quantity = z.number().check(z.int(), z.positive());
 */
import { config } from 'zod/mini';
import { en } from 'zod/locales';

config(en());

export * from 'zod/mini';
