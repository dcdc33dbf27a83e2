import { buildSync } from 'esbuild';
import { OrderLine } from '../../../functions/core/canonical/model';
import { validated } from '../../../functions/core/canonical/parse';
import { ValidationError } from '../../../functions/core/errors';
import { entryOf, FUNCTIONS, type FunctionName } from '../../../lib/topology';

describe('functions/core/zod (zod/mini)', () => {
  it("keeps zod's English messages, which zod/mini does not load by itself", () => {
    // Prepare
    const line = { lineId: '', quantity: 1.5, sku: 'SO-\u0007', unitPrice: { amount: 'x', currency: 'EURO' } };

    // Act
    let error: unknown;
    try {
      validated(OrderLine, line);
    } catch (thrown) {
      error = thrown;
    }

    // Assess: zod's own messages (as the full zod build gave them) and the schema's own
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([
      { path: 'lineId', message: 'Too small: expected string to have >=1 characters' },
      { path: 'sku', message: 'no control characters or unpaired surrogates' },
      { path: 'quantity', message: 'Invalid input: expected int, received number' },
      { path: 'unitPrice.amount', message: 'a decimal number as a string' },
      { path: 'unitPrice.currency', message: 'Too big: expected string to have exactly 3 characters' },
    ]);
  });

  it("bundles no function with zod's full (classic) build", () => {
    // Prepare: the stack's esbuild options (lib/handler-functions.ts), without writing anything
    const classicInputs = (Object.keys(FUNCTIONS) as FunctionName[]).flatMap((name) => {
      const { metafile } = buildSync({
        entryPoints: [entryOf(name)],
        bundle: true,
        format: 'cjs',
        platform: 'node',
        target: 'node22',
        external: ['@aws-sdk/*'],
        write: false,
        outdir: 'unused',
        metafile: true,
        logLevel: 'silent',
      });
      // Act
      return Object.keys(metafile.inputs)
        .filter((input) => /node_modules\/zod\/(v4\/classic|v3)\//.test(input))
        .map((input) => `${name}: ${input}`);
    });

    // Assess
    expect(classicInputs).toEqual([]);
  });
});
