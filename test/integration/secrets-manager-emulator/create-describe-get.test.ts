import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ResourceExistsException,
  ResourceNotFoundException,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  DAY_MS,
  ManualClock,
  rejectionOf,
  startHarness,
  testValue,
  uniqueName,
  type Harness,
} from './support';

describe('Secrets Manager emulator: CreateSecret, DescribeSecret, GetSecretValue, UpdateSecret', () => {
  let h: Harness;
  const clock = new ManualClock();

  beforeAll(async () => {
    h = await startHarness({ clock, region: 'eu-west-1', accountId: '123456789012' });
  });
  afterAll(() => h.close());

  describe('CreateSecret', () => {
    it('creates a secret whose first version is AWSCURRENT, with an ARN of the documented form', async () => {
      const name = uniqueName();
      const value = testValue();
      const created = await h.client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
      expect(created.Name).toBe(name);
      expect(created.ARN).toMatch(
        new RegExp(`^arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-[A-Za-z0-9]{6}$`),
      );
      expect(created.VersionId).toMatch(/^[0-9a-f-]{36}$/);
      const got = await h.client.send(new GetSecretValueCommand({ SecretId: name }));
      expect(got).toMatchObject({
        ARN: created.ARN,
        Name: name,
        VersionId: created.VersionId,
        SecretString: value,
        VersionStages: ['AWSCURRENT'],
      });
      expect(got.CreatedDate).toEqual(clock.now());
    });

    it('uses the ClientRequestToken as the version id', async () => {
      const token = randomUUID();
      const created = await h.client.send(
        new CreateSecretCommand({ Name: uniqueName(), SecretString: testValue(), ClientRequestToken: token }),
      );
      expect(created.VersionId).toBe(token);
    });

    it('stores binary secrets and returns the same bytes', async () => {
      const bytes = randomBytes(64);
      const name = uniqueName();
      await h.client.send(new CreateSecretCommand({ Name: name, SecretBinary: bytes }));
      const got = await h.client.send(new GetSecretValueCommand({ SecretId: name }));
      expect(got.SecretString).toBeUndefined();
      expect(Buffer.from(got.SecretBinary!).equals(bytes)).toBe(true);
    });

    it('creates a secret without a value and without versions', async () => {
      const name = uniqueName();
      const created = await h.client.send(new CreateSecretCommand({ Name: name }));
      expect(created.VersionId).toBeUndefined();
      const described = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
      expect(described.VersionIdsToStages).toEqual({});
      const error = await rejectionOf(h.client.send(new GetSecretValueCommand({ SecretId: name })));
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error.message).toBe(
        "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
      );
    });

    it('refuses a name that exists with ResourceExistsException', async () => {
      const name = uniqueName();
      await h.client.send(new CreateSecretCommand({ Name: name, SecretString: testValue() }));
      const error = await rejectionOf(
        h.client.send(new CreateSecretCommand({ Name: name, SecretString: testValue() })),
      );
      expect(error).toBeInstanceOf(ResourceExistsException);
      expect(error.message).toBe(`The operation failed because the secret ${name} already exists.`);
    });

    it('treats a retry with the same token and value as the same request', async () => {
      const name = uniqueName();
      const value = testValue();
      const token = randomUUID();
      const first = await h.client.send(
        new CreateSecretCommand({ Name: name, SecretString: value, ClientRequestToken: token }),
      );
      const retry = await h.client.send(
        new CreateSecretCommand({ Name: name, SecretString: value, ClientRequestToken: token }),
      );
      expect(retry).toMatchObject({ ARN: first.ARN, VersionId: token });
    });

    it('refuses both SecretString and SecretBinary with InvalidParameterException', async () => {
      const error = await rejectionOf(
        h.client.send(
          new CreateSecretCommand({
            Name: uniqueName(),
            SecretString: testValue(),
            SecretBinary: randomBytes(8),
          }),
        ),
      );
      expect(error).toBeInstanceOf(InvalidParameterException);
    });

    it.each(['has space', 'star*', 'semi;colon', 'a#b'])(
      'refuses the name %j with InvalidParameterException',
      async (name) => {
        const error = await rejectionOf(
          h.client.send(new CreateSecretCommand({ Name: name, SecretString: testValue() })),
        );
        expect(error).toBeInstanceOf(InvalidParameterException);
      },
    );

    it('accepts every character the name rules allow', async () => {
      const name = `Ab9/_+=.@-${randomBytes(3).toString('hex')}`;
      const created = await h.client.send(new CreateSecretCommand({ Name: name, SecretString: testValue() }));
      expect(created.Name).toBe(name);
    });

    it('refuses a missing name and a too short token with ValidationException', async () => {
      const noName = await rejectionOf(h.client.send(new CreateSecretCommand({} as never)));
      expect(noName.name).toBe('ValidationException');
      const shortToken = await rejectionOf(
        h.client.send(
          new CreateSecretCommand({
            Name: uniqueName(),
            SecretString: testValue(),
            ClientRequestToken: 'short',
          }),
        ),
      );
      expect(shortToken.name).toBe('ValidationException');
      expect(shortToken.$metadata?.httpStatusCode).toBe(400);
    });
  });

  describe('DescribeSecret', () => {
    it('returns the metadata, tags, KMS key and the versions by stage, never the value', async () => {
      const name = uniqueName();
      const value = testValue();
      const created = await h.client.send(
        new CreateSecretCommand({
          Name: name,
          SecretString: value,
          Description: 'database credentials',
          KmsKeyId: 'alias/rotor',
          Tags: [{ Key: 'rotor:kind', Value: 'postgres' }],
        }),
      );
      const described = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
      expect(described).toMatchObject({
        ARN: created.ARN,
        Name: name,
        Description: 'database credentials',
        KmsKeyId: 'alias/rotor',
        Tags: [{ Key: 'rotor:kind', Value: 'postgres' }],
        VersionIdsToStages: { [created.VersionId!]: ['AWSCURRENT'] },
        CreatedDate: clock.now(),
        LastChangedDate: clock.now(),
      });
      expect(described.RotationEnabled).toBeUndefined();
      expect(described.DeletedDate).toBeUndefined();
      expect(JSON.stringify(described)).not.toContain(value);
    });

    it('finds a secret by name, full ARN and partial ARN', async () => {
      const name = uniqueName();
      const created = await h.client.send(new CreateSecretCommand({ Name: name, SecretString: testValue() }));
      const partial = created.ARN!.slice(0, -7);
      for (const id of [name, created.ARN!, partial]) {
        const described = await h.client.send(new DescribeSecretCommand({ SecretId: id }));
        expect(described.ARN).toBe(created.ARN);
      }
    });

    it('answers ResourceNotFoundException for an unknown secret, name or ARN', async () => {
      for (const id of [
        'no-such-secret',
        'arn:aws:secretsmanager:eu-west-1:123456789012:secret:no-such-secret-AbCdEf',
      ]) {
        const error = await rejectionOf(h.client.send(new DescribeSecretCommand({ SecretId: id })));
        expect(error).toBeInstanceOf(ResourceNotFoundException);
        expect(error.message).toBe("Secrets Manager can't find the specified secret.");
      }
    });

    it('answers ValidationException when SecretId is missing', async () => {
      const error = await rejectionOf(h.client.send(new DescribeSecretCommand({} as never)));
      expect(error.name).toBe('ValidationException');
    });
  });

  describe('GetSecretValue', () => {
    it('records the day of the last access, without the time', async () => {
      const name = uniqueName();
      await h.client.send(new CreateSecretCommand({ Name: name, SecretString: testValue() }));
      const before = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
      expect(before.LastAccessedDate).toBeUndefined();
      await h.client.send(new GetSecretValueCommand({ SecretId: name }));
      const after = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
      const now = clock.now();
      expect(after.LastAccessedDate).toEqual(
        new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())),
      );
    });

    it('answers ResourceNotFoundException for an unknown VersionId or VersionStage', async () => {
      const name = uniqueName();
      await h.client.send(new CreateSecretCommand({ Name: name, SecretString: testValue() }));
      const unknownVersion = randomUUID();
      const byId = await rejectionOf(
        h.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: unknownVersion })),
      );
      expect(byId).toBeInstanceOf(ResourceNotFoundException);
      expect(byId.message).toBe(
        `Secrets Manager can't find the specified secret value for VersionId: ${unknownVersion}`,
      );
      const byStage = await rejectionOf(
        h.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' })),
      );
      expect(byStage).toBeInstanceOf(ResourceNotFoundException);
      expect(byStage.message).toBe(
        "Secrets Manager can't find the specified secret value for staging label: AWSPENDING",
      );
    });

    it('answers InvalidRequestException when VersionId and VersionStage disagree', async () => {
      const name = uniqueName();
      const created = await h.client.send(new CreateSecretCommand({ Name: name, SecretString: testValue() }));
      const error = await rejectionOf(
        h.client.send(
          new GetSecretValueCommand({
            SecretId: name,
            VersionId: created.VersionId,
            VersionStage: 'AWSPREVIOUS',
          }),
        ),
      );
      expect(error).toBeInstanceOf(InvalidRequestException);
    });

    it('returns the version named by both VersionId and VersionStage when they agree', async () => {
      const name = uniqueName();
      const value = testValue();
      const created = await h.client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
      const got = await h.client.send(
        new GetSecretValueCommand({
          SecretId: name,
          VersionId: created.VersionId,
          VersionStage: 'AWSCURRENT',
        }),
      );
      expect(got.SecretString).toBe(value);
    });
  });

  describe('UpdateSecret', () => {
    it('changes description and KMS key without a new version', async () => {
      const name = uniqueName();
      const created = await h.client.send(new CreateSecretCommand({ Name: name, SecretString: testValue() }));
      clock.advance(DAY_MS);
      const updated = await h.client.send(
        new UpdateSecretCommand({ SecretId: name, Description: 'new', KmsKeyId: 'alias/other' }),
      );
      expect(updated.VersionId).toBeUndefined();
      const described = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
      expect(described).toMatchObject({
        Description: 'new',
        KmsKeyId: 'alias/other',
        LastChangedDate: clock.now(),
      });
      expect(described.VersionIdsToStages).toEqual({ [created.VersionId!]: ['AWSCURRENT'] });
    });

    it('makes a new value the AWSCURRENT version and the old one AWSPREVIOUS', async () => {
      const name = uniqueName();
      const created = await h.client.send(new CreateSecretCommand({ Name: name, SecretString: testValue() }));
      const next = testValue();
      const updated = await h.client.send(new UpdateSecretCommand({ SecretId: name, SecretString: next }));
      const described = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
      expect(described.VersionIdsToStages).toEqual({
        [created.VersionId!]: ['AWSPREVIOUS'],
        [updated.VersionId!]: ['AWSCURRENT'],
      });
      expect((await h.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe(next);
    });

    it('answers ResourceNotFoundException for an unknown secret', async () => {
      const error = await rejectionOf(
        h.client.send(new UpdateSecretCommand({ SecretId: uniqueName(), Description: 'x' })),
      );
      expect(error).toBeInstanceOf(ResourceNotFoundException);
    });
  });
});
