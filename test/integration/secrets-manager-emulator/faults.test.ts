import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InternalServiceError,
  ListSecretsCommand,
} from '@aws-sdk/client-secrets-manager';
import { rejectionOf, startHarness, testValue, uniqueName, type Harness } from './support';

describe('Secrets Manager emulator: fault injection', () => {
  let h: Harness;
  let name: string;
  const calls: string[] = [];

  beforeAll(async () => {
    h = await startHarness({ log: (line) => calls.push(line) });
    name = uniqueName();
    await h.client.send(new CreateSecretCommand({ Name: name, SecretString: testValue() }));
    calls.length = 0;
  });
  afterEach(() => {
    h.emulator.faults.clear();
    calls.length = 0;
  });
  afterAll(() => h.close());

  it('throttles N calls, which the SDK retries through', async () => {
    h.emulator.faults.throttle(2, ['GetSecretValue']);
    const got = await h.client.send(new GetSecretValueCommand({ SecretId: name }));
    expect(got.Name).toBe(name);
    expect(calls).toEqual(['GetSecretValue -> 400', 'GetSecretValue -> 400', 'GetSecretValue -> 200']);
  });

  it('answers ThrottlingException to a client that does not retry', async () => {
    h.emulator.faults.throttle(1);
    const once = h.clientWith({ maxAttempts: 1 });
    const error = await rejectionOf(once.send(new GetSecretValueCommand({ SecretId: name })));
    expect(error.name).toBe('ThrottlingException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    await expect(once.send(new GetSecretValueCommand({ SecretId: name }))).resolves.toMatchObject({
      Name: name,
    });
  });

  it('fails only the Nth matching call, with InternalServiceError', async () => {
    h.emulator.faults.failNth(2, ['DescribeSecret']);
    const once = h.clientWith({ maxAttempts: 1 });
    await once.send(new DescribeSecretCommand({ SecretId: name }));
    await once.send(new GetSecretValueCommand({ SecretId: name }));
    const error = await rejectionOf(once.send(new DescribeSecretCommand({ SecretId: name })));
    expect(error).toBeInstanceOf(InternalServiceError);
    expect(error.$metadata?.httpStatusCode).toBe(500);
    await expect(once.send(new DescribeSecretCommand({ SecretId: name }))).resolves.toMatchObject({
      Name: name,
    });
  });

  it('delays the calls of an operation until the delay is removed', async () => {
    const remove = h.emulator.faults.delay(300, ['ListSecrets']);
    const started = Date.now();
    await h.client.send(new ListSecretsCommand({}));
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    remove();
    await h.client.send(new ListSecretsCommand({}));
    expect(calls).toEqual(['ListSecrets -> 200', 'ListSecrets -> 200']);
  });
});
