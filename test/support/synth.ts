import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
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

/**
 * The statements of the policies attached to the roles whose logical id starts with `rolePrefix`, one line
 * each (`actions on resource`), with the 8-character hashes of logical ids dropped so the lines read well.
 */
export function policyLines(template: Template, rolePrefix: string): string[] {
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: Match.stringLikeRegexp(`^${rolePrefix}`) }] },
    }),
  );
  return policies
    .flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as Array<{
          Action: string | string[];
          Resource: unknown;
          Effect: string;
        }>,
    )
    .map((s) => {
      if (s.Effect !== 'Allow') throw new Error(`unexpected ${s.Effect} statement`);
      return `${([] as string[]).concat(s.Action).join(',')} on ${JSON.stringify(s.Resource).replace(/[0-9A-F]{8}(?=")/g, '')}`;
    })
    .sort();
}

/** Synthesizes an app that has cdk-nag's AwsSolutions checks on it; throws on an unacknowledged finding. */
export function expectNagClean(app: App): void {
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    expect(() => app.synth({ force: true })).not.toThrow();
  } finally {
    spy.mockRestore();
  }
}
