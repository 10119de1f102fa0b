import {
  CancelRotateSecretCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ResourceNotFoundException,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import {
  DAY_MS,
  ManualClock,
  rejectionOf,
  startHarness,
  testValue,
  uniqueName,
  type Harness,
} from './support';
import { templateRotationHandler, type TemplateHandlerControl } from './template-rotation-handler';

const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:rotate-postgres';

describe('Secrets Manager emulator: RotateSecret', () => {
  let h: Harness;
  let control: TemplateHandlerControl;
  const clock = new ManualClock();

  beforeAll(async () => {
    h = await startHarness({ clock });
  });
  beforeEach(() => {
    control = { events: [] };
    h.emulator.registerRotationHandler(LAMBDA_ARN, templateRotationHandler(h.client, control));
  });
  afterAll(() => h.close());

  async function newSecret(): Promise<{ name: string; arn: string; v1: string; value: string }> {
    const name = uniqueName('rotation/db');
    const value = JSON.stringify({ password: testValue() });
    const created = await h.client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    return { name, arn: created.ARN!, v1: created.VersionId!, value };
  }

  it('drives the four steps in order and ends with the new version AWSCURRENT and the old one AWSPREVIOUS', async () => {
    const { name, arn, v1, value } = await newSecret();
    const rotated = await h.client.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: LAMBDA_ARN,
        RotationRules: { AutomaticallyAfterDays: 30 },
      }),
    );
    expect(rotated).toMatchObject({ ARN: arn, Name: name });
    const run = await h.emulator.rotations.waitFor(rotated.VersionId!);
    expect(run).toMatchObject({
      status: 'succeeded',
      completedSteps: ['createSecret', 'setSecret', 'testSecret', 'finishSecret'],
    });

    expect(control.events.map((e) => e.Step)).toEqual([
      'createSecret',
      'setSecret',
      'testSecret',
      'finishSecret',
    ]);
    const rotationToken = control.events[0].RotationToken;
    for (const event of control.events) {
      expect(event).toEqual({
        SecretId: arn,
        ClientRequestToken: rotated.VersionId,
        Step: event.Step,
        RotationToken: rotationToken,
      });
    }

    const described = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described).toMatchObject({
      RotationEnabled: true,
      RotationLambdaARN: LAMBDA_ARN,
      RotationRules: { AutomaticallyAfterDays: 30 },
      LastRotatedDate: clock.now(),
      NextRotationDate: new Date(clock.now().getTime() + 30 * DAY_MS),
      VersionIdsToStages: { [v1]: ['AWSPREVIOUS'], [rotated.VersionId!]: ['AWSPENDING', 'AWSCURRENT'] },
    });
    const current = await h.client.send(new GetSecretValueCommand({ SecretId: name }));
    expect(current.VersionId).toBe(rotated.VersionId);
    expect(current.SecretString).not.toBe(value);
    expect(JSON.parse(current.SecretString!).password).toHaveLength(32);
    expect(
      (await h.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' })))
        .SecretString,
    ).toBe(value);
  });

  it('rotates again with the configured function, and uses the ClientRequestToken given', async () => {
    const { name } = await newSecret();
    const first = await h.client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN }),
    );
    await h.emulator.rotations.waitFor(first.VersionId!);
    const token = randomUUID();
    const second = await h.client.send(
      new RotateSecretCommand({ SecretId: name, ClientRequestToken: token }),
    );
    expect(second.VersionId).toBe(token);
    expect(await h.emulator.rotations.waitFor(token)).toMatchObject({ status: 'succeeded' });
    expect((await h.client.send(new GetSecretValueCommand({ SecretId: name }))).VersionId).toBe(token);
  });

  it('answers before the rotation ends, with an empty AWSPENDING version in place', async () => {
    const { name, v1 } = await newSecret();
    let release!: () => void;
    control.gate = new Promise((resolve) => (release = resolve));
    const rotated = await h.client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN }),
    );
    const pending = rotated.VersionId!;
    const described = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.VersionIdsToStages).toEqual({ [v1]: ['AWSCURRENT'], [pending]: ['AWSPENDING'] });
    const empty = await rejectionOf(
      h.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' })),
    );
    expect(empty).toBeInstanceOf(ResourceNotFoundException);
    expect(h.emulator.rotations.all().find((r) => r.versionId === pending)?.status).toBe('running');
    release();
    expect(await h.emulator.rotations.waitFor(pending)).toMatchObject({ status: 'succeeded' });
  });

  it('keeps AWSCURRENT and leaves AWSPENDING when the function fails at setSecret', async () => {
    const { name, v1, value } = await newSecret();
    control.failAt = 'setSecret';
    const rotated = await h.client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN }),
    );
    const run = await h.emulator.rotations.waitFor(rotated.VersionId!);
    expect(run).toMatchObject({
      status: 'failed',
      failedStep: 'setSecret',
      completedSteps: ['createSecret'],
    });
    expect((run.error as Error).message).toBe('simulated failure at setSecret');

    const described = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.VersionIdsToStages).toEqual({
      [v1]: ['AWSCURRENT'],
      [rotated.VersionId!]: ['AWSPENDING'],
    });
    expect(described.LastRotatedDate).toBeUndefined();
    expect((await h.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe(value);
    // createSecret ran: the pending value is there for a retry to pick up.
    await expect(
      h.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' })),
    ).resolves.toMatchObject({
      VersionId: rotated.VersionId,
    });
  });

  it('refuses a new rotation while AWSPENDING sits on a version that is not AWSCURRENT, and allows it once cleared', async () => {
    const { name } = await newSecret();
    control.failAt = 'testSecret';
    const failed = await h.client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN }),
    );
    await h.emulator.rotations.waitFor(failed.VersionId!);

    const error = await rejectionOf(h.client.send(new RotateSecretCommand({ SecretId: name })));
    expect(error).toBeInstanceOf(InvalidRequestException);
    expect(error.message).toBe("A previous rotation isn't complete. That rotation will be reattempted.");

    await h.client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSPENDING',
        RemoveFromVersionId: failed.VersionId,
      }),
    );
    control.failAt = undefined;
    const retried = await h.client.send(new RotateSecretCommand({ SecretId: name }));
    expect(await h.emulator.rotations.waitFor(retried.VersionId!)).toMatchObject({ status: 'succeeded' });
  });

  it('treats RotateSecret with the token of the unfinished rotation as a retry: it joins a running one and reattempts a failed one', async () => {
    const { name } = await newSecret();
    const token = randomUUID();
    let release!: () => void;
    control.gate = new Promise((resolve) => (release = resolve));
    await h.client.send(
      new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN, ClientRequestToken: token }),
    );
    const joined = await h.client.send(
      new RotateSecretCommand({ SecretId: name, ClientRequestToken: token }),
    );
    expect(joined.VersionId).toBe(token);
    expect(h.emulator.rotations.all().filter((r) => r.versionId === token)).toHaveLength(1);
    control.failAt = 'testSecret';
    release();
    expect(await h.emulator.rotations.waitFor(token)).toMatchObject({
      status: 'failed',
      failedStep: 'testSecret',
    });

    control.failAt = undefined;
    control.events.length = 0;
    await h.client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: token }));
    expect(await h.emulator.rotations.waitFor(token)).toMatchObject({ status: 'succeeded' });
    expect(control.events.map((e) => e.Step)).toEqual([
      'createSecret',
      'setSecret',
      'testSecret',
      'finishSecret',
    ]);
    expect((await h.client.send(new GetSecretValueCommand({ SecretId: name }))).VersionId).toBe(token);
  });

  it('runs only testSecret and then removes AWSPENDING when RotateImmediately is false', async () => {
    const { name, v1 } = await newSecret();
    const rotated = await h.client.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: LAMBDA_ARN,
        RotateImmediately: false,
        RotationRules: { ScheduleExpression: 'rate(10 days)' },
      }),
    );
    const run = await h.emulator.rotations.waitFor(rotated.VersionId!);
    expect(run.rotateImmediately).toBe(false);
    expect(control.events.map((e) => e.Step)).toEqual(['testSecret']);
    const described = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.VersionIdsToStages).toEqual({ [v1]: ['AWSCURRENT'] });
    expect(described).toMatchObject({
      RotationEnabled: true,
      RotationRules: { ScheduleExpression: 'rate(10 days)' },
    });
    expect(described.NextRotationDate).toEqual(new Date(clock.now().getTime() + 10 * DAY_MS));
    expect(described.LastRotatedDate).toBeUndefined();
  });

  it('refuses a secret without a rotation function configured or given', async () => {
    const { name } = await newSecret();
    const error = await rejectionOf(h.client.send(new RotateSecretCommand({ SecretId: name })));
    expect(error).toBeInstanceOf(InvalidRequestException);
  });

  it('refuses a rotation function the emulator does not know, and changes nothing', async () => {
    const { name, v1 } = await newSecret();
    const error = await rejectionOf(
      h.client.send(
        new RotateSecretCommand({
          SecretId: name,
          RotationLambdaARN: 'arn:aws:lambda:us-east-1:000000000000:function:nope',
        }),
      ),
    );
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    const described = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.VersionIdsToStages).toEqual({ [v1]: ['AWSCURRENT'] });
    expect(described.RotationEnabled).toBeUndefined();
  });

  it('checks rotation rules', async () => {
    const { name } = await newSecret();
    const rotate = (RotationRules: Record<string, unknown>) =>
      rejectionOf(
        h.client.send(
          new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN, RotationRules }),
        ),
      );
    expect((await rotate({ AutomaticallyAfterDays: 0 })).name).toBe('ValidationException');
    expect((await rotate({ AutomaticallyAfterDays: 1001 })).name).toBe('ValidationException');
    expect(await rotate({ AutomaticallyAfterDays: 5, ScheduleExpression: 'rate(5 days)' })).toBeInstanceOf(
      InvalidParameterException,
    );
    expect(await rotate({ ScheduleExpression: 'every tuesday' })).toBeInstanceOf(InvalidParameterException);
    expect(await rotate({ ScheduleExpression: 'rate(2 hours)' })).toBeInstanceOf(InvalidParameterException);
    expect(await rotate({ ScheduleExpression: 'rate(1 days)', Duration: '99h' })).toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it('accepts a cron schedule and then reports no NextRotationDate, as it does not evaluate cron', async () => {
    const { name } = await newSecret();
    const rotated = await h.client.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: LAMBDA_ARN,
        RotationRules: { ScheduleExpression: 'cron(0 8 1 * ? *)', Duration: '2h' },
      }),
    );
    await h.emulator.rotations.waitFor(rotated.VersionId!);
    const described = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.RotationRules).toEqual({ ScheduleExpression: 'cron(0 8 1 * ? *)', Duration: '2h' });
    expect(described.NextRotationDate).toBeUndefined();
  });

  it('refuses a secret scheduled for deletion', async () => {
    const { name } = await newSecret();
    await h.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    const error = await rejectionOf(
      h.client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN })),
    );
    expect(error).toBeInstanceOf(InvalidRequestException);
  });

  it('starts the rotations that are due on the clock when asked, as the scheduler would', async () => {
    const { name } = await newSecret();
    const first = await h.client.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: LAMBDA_ARN,
        RotationRules: { AutomaticallyAfterDays: 1 },
      }),
    );
    await h.emulator.rotations.waitFor(first.VersionId!);
    clock.advance(DAY_MS - 1000);
    expect(h.emulator.rotations.startDue()).toEqual([]);
    clock.advance(1000);
    const due = h.emulator.rotations.startDue();
    expect(due).toHaveLength(1);
    expect(await h.emulator.rotations.waitFor(due[0])).toMatchObject({
      status: 'succeeded',
      secretName: name,
    });
    const described = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.LastRotatedDate).toEqual(clock.now());
    expect(described.NextRotationDate).toEqual(new Date(clock.now().getTime() + DAY_MS));
  });

  describe('CancelRotateSecret', () => {
    it('turns rotation off and names the unfinished version', async () => {
      const { name } = await newSecret();
      control.failAt = 'finishSecret';
      const rotated = await h.client.send(
        new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN }),
      );
      await h.emulator.rotations.waitFor(rotated.VersionId!);
      const cancelled = await h.client.send(new CancelRotateSecretCommand({ SecretId: name }));
      expect(cancelled.VersionId).toBe(rotated.VersionId);
      const described = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
      expect(described.RotationEnabled).toBe(false);
      expect(described.NextRotationDate).toBeUndefined();
    });

    it('refuses a secret that has no rotation function', async () => {
      const { name } = await newSecret();
      expect(
        await rejectionOf(h.client.send(new CancelRotateSecretCommand({ SecretId: name }))),
      ).toBeInstanceOf(InvalidRequestException);
    });
  });
});
