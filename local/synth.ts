import * as path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { buildApp } from '../lib/app';
import type { RotorStack } from '../lib/rotor-stack';
import type { CfnTemplate } from './template';

/** A Lambda function as `cdk synth` produced it: its bundle folder, handler and template properties. */
export interface SynthesizedFunction {
  readonly logicalId: string;
  /** The folder of the bundled asset (`cdk.out/asset.<hash>`). */
  readonly assetDir: string;
  readonly handler: string;
  readonly environment: Record<string, unknown>;
}

export interface SynthesizedStack {
  readonly outdir: string;
  readonly template: CfnTemplate & {
    Resources: Record<
      string,
      { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
    >;
  };
  readonly functions: SynthesizedFunction[];
}

/**
 * Synthesizes the Rotor stack exactly as `npx cdk synth` does (bundling with esbuild, cdk-nag on) into a
 * cloud assembly folder, and returns the template and the functions with their bundles.
 */
export function synthesize(
  options: { outdir?: string; customize?: (stack: RotorStack) => void } = {},
): SynthesizedStack {
  const outdir = options.outdir ?? mkdtempSync(path.join(tmpdir(), 'rotor-cdk-out-'));
  // As the CDK CLI does: asset metadata names each function's bundle folder in the template.
  const { app, stack } = buildApp({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  options.customize?.(stack);
  const assembly = app.synth();
  const template = assembly.getStackByName(stack.stackName).template as SynthesizedStack['template'];
  const functions = Object.entries(template.Resources)
    .filter(([, r]) => r.Type === 'AWS::Lambda::Function' && r.Metadata?.['aws:asset:path'])
    .map(([logicalId, r]) => ({
      logicalId,
      assetDir: path.join(outdir, String(r.Metadata!['aws:asset:path'])),
      handler: String(r.Properties?.Handler ?? 'index.handler'),
      environment: (r.Properties?.Environment as { Variables?: Record<string, unknown> })?.Variables ?? {},
    }));
  return { outdir, template, functions };
}
