import {
  CreateSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { randomBytes, randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { rejectionOf, startHarness, testValue, uniqueName, type Harness } from './support';
import { templateRotationHandler, type TemplateHandlerControl } from './template-rotation-handler';

const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:rotate-canary';

describe('Secrets Manager emulator: no secret value in its output', () => {
  const printed: string[] = [];
  const spies: jest.SpyInstance[] = [];
  let h: Harness;

  beforeAll(async () => {
    const capture = (...args: unknown[]): void => {
      printed.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 10 }))).join(' '));
    };
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      spies.push(jest.spyOn(console, method).mockImplementation(capture));
    }
    for (const stream of [process.stdout, process.stderr]) {
      spies.push(
        jest
          .spyOn(stream, 'write')
          .mockImplementation(((chunk: unknown) => (capture(String(chunk)), true)) as never),
      );
    }
    h = await startHarness({ log: (line) => console.log(line) });
  });
  afterAll(async () => {
    await h.close();
    for (const spy of spies) spy.mockRestore();
  });

  it('prints operation and rotation lines that hold no value, whatever the calls and failures', async () => {
    const values: string[] = [];
    const remember = (value: string): string => (values.push(value), value);
    const name = uniqueName('canary');
    const token = randomUUID();

    await h.client.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: remember(testValue('canary')),
        ClientRequestToken: token,
      }),
    );
    const binary = randomBytes(24);
    values.push(binary.toString('base64'), binary.toString('hex'));
    await h.client.send(new CreateSecretCommand({ Name: uniqueName('canary-bin'), SecretBinary: binary }));
    await h.client.send(new GetSecretValueCommand({ SecretId: name }));
    await h.client.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: remember(testValue('canary')) }),
    );
    await h.client.send(
      new UpdateSecretCommand({ SecretId: name, SecretString: remember(testValue('canary')) }),
    );
    await h.client.send(new ListSecretsCommand({}));
    remember(
      (await h.client.send(new GetRandomPasswordCommand({ ExcludePunctuation: true }))).RandomPassword!,
    );

    const errors = [
      await rejectionOf(
        h.client.send(
          new PutSecretValueCommand({
            SecretId: name,
            SecretString: remember(testValue('canary')),
            ClientRequestToken: token,
          }),
        ),
      ),
      await rejectionOf(
        h.client.send(new CreateSecretCommand({ Name: name, SecretString: remember(testValue('canary')) })),
      ),
      await rejectionOf(
        h.client.send(
          new CreateSecretCommand({ Name: 'bad name', SecretString: remember(testValue('canary')) }),
        ),
      ),
      await rejectionOf(
        h.client.send(
          new PutSecretValueCommand({ SecretId: name, SecretString: remember('x'.repeat(65_537)) }),
        ),
      ),
    ];

    // A rotation that succeeds, then one whose function fails quoting the pending value in its error.
    const control: TemplateHandlerControl = { events: [] };
    const template = templateRotationHandler(h.client, control);
    h.emulator.registerRotationHandler(LAMBDA_ARN, async (event) => {
      await template(event);
      if (event.Step === 'setSecret' && control.failAt === 'setSecret') {
        const pending = await h.client.send(
          new GetSecretValueCommand({ SecretId: event.SecretId, VersionStage: 'AWSPENDING' }),
        );
        throw new Error(`could not set ${remember(pending.SecretString!)}`);
      }
    });
    const ok = await h.client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN }),
    );
    await h.emulator.rotations.waitFor(ok.VersionId!);
    remember((await h.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString!);
    control.failAt = 'setSecret';
    const failing = await h.client.send(new RotateSecretCommand({ SecretId: name }));
    const run = await h.emulator.rotations.waitFor(failing.VersionId!);
    expect(run.status).toBe('failed');

    const output = printed.join('\n');
    expect(output).toContain('GetSecretValue -> 200');
    expect(output).toContain(`rotation of ${name} (version ${failing.VersionId}) failed at setSecret: Error`);
    for (const value of values) {
      expect(output).not.toContain(value);
      for (const error of errors) expect(error.message).not.toContain(value);
    }
  });
});
