import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';

/**
 * Stack tests skip esbuild bundling: the context key `aws:cdk:bundling-stacks` set to an empty list makes
 * NodejsFunction emit a placeholder asset instead of bundling (toolchain.md measured 10 s -> 2.5 s for four
 * stack tests). `npx cdk synth` and `rotor local` still bundle for real.
 */
export const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] as string[] };

export function synthRotor(context: Record<string, unknown> = {}, nag = false) {
  const { app, stack } = buildApp({ context: { ...NO_BUNDLING, ...context }, nag });
  return { app, stack, template: Template.fromStack(stack) };
}

/** A bare stack for testing one construct on its own. */
export function bareStack(): Stack {
  const app = new App({ context: NO_BUNDLING });
  return new Stack(app, 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
}
