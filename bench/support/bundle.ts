import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';

const ROOT = path.join(__dirname, '..', '..');

/** Bundles a function as NodejsFunction does (esbuild, minified, node22, CJS) and returns the file. */
export function bundleFunction(
  name: string,
  sdk: 'bundled' | 'external' = 'bundled',
  outDir = mkdtempSync(path.join(tmpdir(), 'rotor-bundle-')),
): string {
  const file = path.join(outDir, `${name}-${sdk}.js`);
  buildSync({
    entryPoints: [path.join(ROOT, 'functions', name, 'handler.ts')],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    outfile: file,
    logLevel: 'error',
    external: sdk === 'external' ? ['@aws-sdk/*'] : [],
  });
  return file;
}
