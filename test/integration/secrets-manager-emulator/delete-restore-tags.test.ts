import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  LimitExceededException,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RestoreSecretCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import {
  DAY_MS,
  ManualClock,
  rejectionOf,
  startHarness,
  testValue,
  uniqueName,
  type Harness,
} from './support';

describe('Secrets Manager emulator: DeleteSecret, RestoreSecret, TagResource, UntagResource', () => {
  let h: Harness;
  const clock = new ManualClock();

  beforeAll(async () => {
    h = await startHarness({ clock });
  });
  afterAll(() => h.close());

  async function newSecret(): Promise<{ name: string; arn: string; value: string }> {
    const name = uniqueName();
    const value = testValue();
    const created = await h.client.send(
      new CreateSecretCommand({ Name: name, SecretString: value, Tags: [{ Key: 'team', Value: 'a' }] }),
    );
    return { name, arn: created.ARN!, value };
  }

  describe('DeleteSecret', () => {
    it('schedules deletion 30 days ahead by default and refuses reads meanwhile', async () => {
      const { name, arn } = await newSecret();
      const deleted = await h.client.send(new DeleteSecretCommand({ SecretId: name }));
      expect(deleted).toEqual(
        expect.objectContaining({
          ARN: arn,
          Name: name,
          DeletionDate: new Date(clock.now().getTime() + 30 * DAY_MS),
        }),
      );
      const described = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
      expect(described.DeletedDate).toEqual(clock.now());
      for (const call of [
        h.client.send(new GetSecretValueCommand({ SecretId: name })),
        h.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: testValue() })),
        h.client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key: 'k', Value: 'v' }] })),
        h.client.send(new DeleteSecretCommand({ SecretId: name })),
      ]) {
        const error = await rejectionOf(call);
        expect(error).toBeInstanceOf(InvalidRequestException);
        expect(error.message).toBe(
          "You can't perform this operation on the secret because it was marked for deletion.",
        );
      }
      const recreate = await rejectionOf(
        h.client.send(new CreateSecretCommand({ Name: name, SecretString: testValue() })),
      );
      expect(recreate).toBeInstanceOf(InvalidRequestException);
    });

    it('takes a recovery window of 7 to 30 days', async () => {
      const { name } = await newSecret();
      const deleted = await h.client.send(
        new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }),
      );
      expect(deleted.DeletionDate).toEqual(new Date(clock.now().getTime() + 7 * DAY_MS));
      for (const days of [6, 31]) {
        const error = await rejectionOf(
          h.client.send(
            new DeleteSecretCommand({ SecretId: (await newSecret()).name, RecoveryWindowInDays: days }),
          ),
        );
        expect(error).toBeInstanceOf(InvalidParameterException);
        expect(error.message).toBe(
          'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).',
        );
      }
    });

    it('refuses ForceDeleteWithoutRecovery together with RecoveryWindowInDays', async () => {
      const { name } = await newSecret();
      const error = await rejectionOf(
        h.client.send(
          new DeleteSecretCommand({
            SecretId: name,
            RecoveryWindowInDays: 7,
            ForceDeleteWithoutRecovery: true,
          }),
        ),
      );
      expect(error).toBeInstanceOf(InvalidParameterException);
    });

    it('deletes at once with ForceDeleteWithoutRecovery, and the name can be used again', async () => {
      const { name, arn } = await newSecret();
      const deleted = await h.client.send(
        new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }),
      );
      expect(deleted.DeletionDate).toEqual(clock.now());
      expect(await rejectionOf(h.client.send(new DescribeSecretCommand({ SecretId: name })))).toBeInstanceOf(
        ResourceNotFoundException,
      );
      const again = await h.client.send(new CreateSecretCommand({ Name: name, SecretString: testValue() }));
      expect(again.ARN).not.toBe(arn);
    });

    it('force-deletes a secret already scheduled for deletion', async () => {
      const { name } = await newSecret();
      await h.client.send(new DeleteSecretCommand({ SecretId: name }));
      await h.client.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
      expect(await rejectionOf(h.client.send(new DescribeSecretCommand({ SecretId: name })))).toBeInstanceOf(
        ResourceNotFoundException,
      );
    });

    it('removes the secret for good once the recovery window has passed', async () => {
      const { name } = await newSecret();
      await h.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
      clock.advance(7 * DAY_MS - 1000);
      await expect(h.client.send(new DescribeSecretCommand({ SecretId: name }))).resolves.toMatchObject({
        Name: name,
      });
      clock.advance(1000);
      expect(await rejectionOf(h.client.send(new DescribeSecretCommand({ SecretId: name })))).toBeInstanceOf(
        ResourceNotFoundException,
      );
      const listed = await h.client.send(new ListSecretsCommand({ IncludePlannedDeletion: true }));
      expect(listed.SecretList!.map((s) => s.Name)).not.toContain(name);
    });

    it('answers ResourceNotFoundException for an unknown secret', async () => {
      expect(
        await rejectionOf(h.client.send(new DeleteSecretCommand({ SecretId: uniqueName() }))),
      ).toBeInstanceOf(ResourceNotFoundException);
    });
  });

  describe('RestoreSecret', () => {
    it('cancels a scheduled deletion and makes the value readable again', async () => {
      const { name, arn, value } = await newSecret();
      await h.client.send(new DeleteSecretCommand({ SecretId: name }));
      const restored = await h.client.send(new RestoreSecretCommand({ SecretId: arn }));
      expect(restored).toMatchObject({ ARN: arn, Name: name });
      const described = await h.client.send(new DescribeSecretCommand({ SecretId: name }));
      expect(described.DeletedDate).toBeUndefined();
      expect((await h.client.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe(value);
    });

    it('answers ResourceNotFoundException for an unknown secret', async () => {
      expect(
        await rejectionOf(h.client.send(new RestoreSecretCommand({ SecretId: uniqueName() }))),
      ).toBeInstanceOf(ResourceNotFoundException);
    });
  });

  describe('TagResource and UntagResource', () => {
    it('adds tags, replaces the value of an existing key, and removes tags by key', async () => {
      const { name } = await newSecret();
      await h.client.send(
        new TagResourceCommand({
          SecretId: name,
          Tags: [
            { Key: 'team', Value: 'b' },
            { Key: 'rotor:kind', Value: 'mysql' },
          ],
        }),
      );
      expect((await h.client.send(new DescribeSecretCommand({ SecretId: name }))).Tags).toEqual([
        { Key: 'team', Value: 'b' },
        { Key: 'rotor:kind', Value: 'mysql' },
      ]);
      await h.client.send(new UntagResourceCommand({ SecretId: name, TagKeys: ['team', 'not-there'] }));
      expect((await h.client.send(new DescribeSecretCommand({ SecretId: name }))).Tags).toEqual([
        { Key: 'rotor:kind', Value: 'mysql' },
      ]);
    });

    it('refuses more than 50 tags with LimitExceededException', async () => {
      const { name } = await newSecret();
      const tags = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      // The SDK retries LimitExceededException as throttling: one attempt keeps the test short.
      const once = h.clientWith({ maxAttempts: 1 });
      expect(
        await rejectionOf(once.send(new TagResourceCommand({ SecretId: name, Tags: tags }))),
      ).toBeInstanceOf(LimitExceededException);
      await once.send(new TagResourceCommand({ SecretId: name, Tags: tags.slice(1) }));
    });

    it('refuses an empty or too long tag key with ValidationException', async () => {
      const { name } = await newSecret();
      for (const Key of ['', 'k'.repeat(129)]) {
        expect(
          (
            await rejectionOf(
              h.client.send(new TagResourceCommand({ SecretId: name, Tags: [{ Key, Value: 'v' }] })),
            )
          ).name,
        ).toBe('ValidationException');
      }
    });

    it('answers ResourceNotFoundException for an unknown secret', async () => {
      const error = await rejectionOf(
        h.client.send(new TagResourceCommand({ SecretId: uniqueName(), Tags: [{ Key: 'k', Value: 'v' }] })),
      );
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(
        await rejectionOf(
          h.client.send(new UntagResourceCommand({ SecretId: uniqueName(), TagKeys: ['k'] })),
        ),
      ).toBeInstanceOf(ResourceNotFoundException);
    });
  });
});
