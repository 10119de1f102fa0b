import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config';
import { RotorStack } from './rotor-stack';

export interface RotorAppOptions extends AppProps {
  /** Run the cdk-nag AwsSolutions checks at synth (they fail the synth on an unacknowledged finding). @default true */
  readonly nag?: boolean;
}

/** Builds the CDK app: one RotorStack, checked by cdk-nag. Used by `bin/rotor.ts`, the tests and `rotor local`. */
export function buildApp(options: RotorAppOptions = {}): { app: App; stack: RotorStack } {
  const { nag = true, ...appProps } = options;
  const app = new App(appProps);
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const stack = new RotorStack(app, 'Rotor', {
    config: readConfig(app.node),
    description: 'Rotor: secrets rotation, image sprawl scanning and a tamper-evident audit trail',
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: process.env.CDK_DEFAULT_REGION,
    },
  });
  return { app, stack };
}
