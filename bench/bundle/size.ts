// Each function's bundle, as NodejsFunction builds it (esbuild, minified, node22, CJS), with the AWS SDK
// bundled (Rotor's choice) and left to the Lambda runtime (the alternative): size, gzipped size, and cold
// initialisation (a fresh Node process loading the bundle, median of 5), against the floor of an empty one.
// Run: npx tsx bench/bundle/size.ts
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundleFunction } from '../support/bundle';

const ROOT = path.join(__dirname, '..', '..');
const out = mkdtempSync(path.join(tmpdir(), 'rotor-bundle-'));
const functions = readdirSync(path.join(ROOT, 'functions')).filter((f) => f !== 'shared');

function coldInitMs(file: string, env: Record<string, string>): number {
  const runs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const script = `const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
    runs.push(
      Number(
        execFileSync(process.execPath, ['-e', script], {
          env: { ...process.env, ...env },
          cwd: ROOT,
        }).toString(),
      ),
    );
  }
  return runs.sort((a, b) => a - b)[2];
}

const empty = path.join(out, 'empty.js');
writeFileSync(empty, 'exports.handler=async()=>({})');
const env = {
  AUDIT_TABLE_NAME: 't',
  IDEMPOTENCY_TABLE_NAME: 'i',
  AWS_REGION: 'us-east-1',
  NODE_PATH: path.join(ROOT, 'node_modules'),
};
const floor = coldInitMs(empty, env);
console.log(
  `| function | SDK | size | gzipped | cold init (ms) | init / empty bundle (${floor.toFixed(1)} ms) |\n| --- | --- | --- | --- | --- | --- |`,
);
for (const name of functions) {
  for (const sdk of ['bundled', 'external'] as const) {
    const file = bundleFunction(name, sdk, out);
    const size = statSync(file).size;
    const gz = gzipSync(readFileSync(file)).length;
    const init = coldInitMs(file, env);
    console.log(
      `| ${name} | ${sdk} | ${(size / 1024).toFixed(0)} KB | ${(gz / 1024).toFixed(0)} KB | ${init.toFixed(1)} | ${(init / floor).toFixed(1)}x |`,
    );
  }
}
