// Each function's bundle, as NodejsFunction builds it (esbuild, minified, node22, CJS), with the AWS SDK
// bundled (Rotor's choice) and left to the Lambda runtime (the alternative): size, gzipped size, and cold
// initialisation (a fresh Node process loading the bundle with the environment the synthesized template
// gives the function, median of 5), against the floor of an empty bundle.
// Run: npx tsx bench/bundle/size.ts
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';
import { addDemoSecrets } from '../../local/demo/demo-stack';
import { resolveIntrinsics } from '../../local/template';
import { bundleFunction } from '../support/bundle';

const ROOT = path.join(__dirname, '..', '..');
const out = mkdtempSync(path.join(tmpdir(), 'rotor-bundle-'));

/** Every function of the stack (with rotor local's demo secret, for the rotation function): its folder and environment. */
function stackFunctions(): Map<string, Record<string, string>> {
  const { stack } = buildApp({ context: { 'aws:cdk:bundling-stacks': [] }, nag: false });
  addDemoSecrets(stack);
  const functions = new Map<string, Record<string, string>>();
  const resources = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  for (const [id, resource] of Object.entries(resources)) {
    const variables = resolveIntrinsics(
      resource.Properties.Environment?.Variables ?? {},
      (logicalId) => `local-${logicalId}`,
    ) as Record<string, string>;
    // The Lambda runtime's CA bundle is not on this machine (Node reads the variable at start-up only).
    delete variables.NODE_EXTRA_CA_CERTS;
    functions.set(variables.POWERTOOLS_SERVICE_NAME ?? id, variables);
  }
  return functions;
}

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

const base = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'x',
  AWS_SECRET_ACCESS_KEY: 'x',
  NODE_PATH: path.join(ROOT, 'node_modules'),
};
const empty = path.join(out, 'empty.js');
writeFileSync(empty, 'exports.handler=async()=>({})');
const floor = coldInitMs(empty, base);
console.log(
  `| function | SDK | size | gzipped | cold init (ms) | init / empty bundle (${floor.toFixed(1)} ms) |\n| --- | --- | --- | --- | --- | --- |`,
);
for (const [name, env] of stackFunctions()) {
  for (const sdk of ['bundled', 'external'] as const) {
    const file = bundleFunction(name, sdk, out);
    const size = statSync(file).size;
    const gz = gzipSync(readFileSync(file)).length;
    const init = coldInitMs(file, { ...base, ...env });
    console.log(
      `| ${name} | ${sdk} | ${(size / 1024).toFixed(0)} KB | ${(gz / 1024).toFixed(0)} KB | ${init.toFixed(1)} | ${(init / floor).toFixed(1)}x |`,
    );
  }
}
