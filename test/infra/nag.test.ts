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
