import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { synthRotor } from '../support/synth';

describe('cdk-nag AwsSolutions', () => {
  it('finds no unacknowledged error or warning in the whole stack', () => {
    const { app } = synthRotor({}, true);
    const errors: string[] = [];
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      errors.push(String(chunk));
      return true;
    });
    try {
      expect(() => app.synth({ force: true })).not.toThrow();
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('')).not.toMatch(/AwsSolutions-/);
  });

  it('is clean in a concrete account and region too (acknowledgements must not depend on the env)', () => {
    const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
    Object.assign(process.env, { CDK_DEFAULT_ACCOUNT: '123456789012', CDK_DEFAULT_REGION: 'eu-west-1' });
    try {
      const { app } = synthRotor({}, true);
      const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        expect(() => app.synth({ force: true })).not.toThrow();
      } finally {
        spy.mockRestore();
      }
    } finally {
      for (const [key, value] of [
        ['CDK_DEFAULT_ACCOUNT', saved.account],
        ['CDK_DEFAULT_REGION', saved.region],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('fails the synth when a finding is not acknowledged', () => {
    const { app, stack } = synthRotor({}, true);
    // A table without point-in-time recovery is an AwsSolutions-DDB3 finding.
    new dynamodb.Table(stack, 'Careless', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
    });
    const spy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(() => app.synth({ force: true })).toThrow();
    } finally {
      spy.mockRestore();
    }
  });
});
