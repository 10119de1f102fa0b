import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidNextTokenException,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  UpdateSecretVersionStageCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { randomBytes, randomUUID } from 'node:crypto';
import { rejectionOf, startHarness, testValue, uniqueName, type Harness } from './support';

async function stagesOf(client: SecretsManagerClient, secretId: string): Promise<Record<string, string[]>> {
  return (await client.send(new DescribeSecretCommand({ SecretId: secretId }))).VersionIdsToStages ?? {};
}

async function newSecret(client: SecretsManagerClient): Promise<{ name: string; v1: string }> {
  const name = uniqueName();
  const created = await client.send(new CreateSecretCommand({ Name: name, SecretString: testValue() }));
  return { name, v1: created.VersionId! };
}

describe('Secrets Manager emulator: versions and staging labels', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ maxVersions: 5 });
  });
  afterAll(() => h.close());

  describe('PutSecretValue', () => {
    it('stages a new value AWSCURRENT by default and moves AWSPREVIOUS to the former AWSCURRENT', async () => {
      const { name, v1 } = await newSecret(h.client);
      const put2 = await h.client.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: testValue() }),
      );
      expect(put2.VersionStages).toEqual(['AWSCURRENT']);
      expect(await stagesOf(h.client, name)).toEqual({
        [v1]: ['AWSPREVIOUS'],
        [put2.VersionId!]: ['AWSCURRENT'],
      });
      const put3 = await h.client.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: testValue() }),
      );
      // v1 lost its last label: it is deprecated and no longer listed.
      expect(await stagesOf(h.client, name)).toEqual({
        [put2.VersionId!]: ['AWSPREVIOUS'],
        [put3.VersionId!]: ['AWSCURRENT'],
      });
    });

    it('stages AWSPENDING without touching AWSCURRENT, and keeps a label on one version at a time', async () => {
      const { name, v1 } = await newSecret(h.client);
      const pending1 = await h.client.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: testValue(),
          VersionStages: ['AWSPENDING'],
        }),
      );
      expect(await stagesOf(h.client, name)).toEqual({
        [v1]: ['AWSCURRENT'],
        [pending1.VersionId!]: ['AWSPENDING'],
      });
      const pending2 = await h.client.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: testValue(),
          VersionStages: ['AWSPENDING', 'custom'],
        }),
      );
      expect(await stagesOf(h.client, name)).toEqual({
        [v1]: ['AWSCURRENT'],
        [pending2.VersionId!]: ['AWSPENDING', 'custom'],
      });
    });

    it('makes the first version of a secret AWSCURRENT whatever the stages asked', async () => {
      const name = uniqueName();
      await h.client.send(new CreateSecretCommand({ Name: name }));
      const put = await h.client.send(
        new PutSecretValueCommand({
          SecretId: name,
          SecretString: testValue(),
          VersionStages: ['AWSPENDING'],
        }),
      );
      expect(put.VersionStages).toEqual(['AWSPENDING', 'AWSCURRENT']);
    });

    it('succeeds without change when the same token comes again with the same value', async () => {
      const { name, v1 } = await newSecret(h.client);
      const token = randomUUID();
      const value = testValue();
      await h.client.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: value, ClientRequestToken: token }),
      );
      const again = await h.client.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: value, ClientRequestToken: token }),
      );
      expect(again).toMatchObject({ VersionId: token, VersionStages: ['AWSCURRENT'] });
      expect(await stagesOf(h.client, name)).toEqual({ [v1]: ['AWSPREVIOUS'], [token]: ['AWSCURRENT'] });
    });

    it('refuses the same token with a different value with ResourceExistsException', async () => {
      const { name } = await newSecret(h.client);
      const token = randomUUID();
      await h.client.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: testValue(), ClientRequestToken: token }),
      );
      const error = await rejectionOf(
        h.client.send(
          new PutSecretValueCommand({ SecretId: name, SecretString: testValue(), ClientRequestToken: token }),
        ),
      );
      expect(error).toBeInstanceOf(ResourceExistsException);
      expect(error.message).toBe("You can't modify an existing version, you can only create a new version.");
    });

    it('treats a string and a binary value under the same token as different', async () => {
      const { name } = await newSecret(h.client);
      const token = randomUUID();
      await h.client.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: 'abc', ClientRequestToken: token }),
      );
      const error = await rejectionOf(
        h.client.send(
          new PutSecretValueCommand({
            SecretId: name,
            SecretBinary: Buffer.from('abc'),
            ClientRequestToken: token,
          }),
        ),
      );
      expect(error).toBeInstanceOf(ResourceExistsException);
    });

    it('refuses a request without a value, and one with both kinds of value', async () => {
      const { name } = await newSecret(h.client);
      expect(await rejectionOf(h.client.send(new PutSecretValueCommand({ SecretId: name })))).toBeInstanceOf(
        InvalidRequestException,
      );
      expect(
        await rejectionOf(
          h.client.send(
            new PutSecretValueCommand({
              SecretId: name,
              SecretString: testValue(),
              SecretBinary: randomBytes(4),
            }),
          ),
        ),
      ).toBeInstanceOf(InvalidParameterException);
    });

    it('answers ResourceNotFoundException for an unknown secret', async () => {
      const error = await rejectionOf(
        h.client.send(new PutSecretValueCommand({ SecretId: uniqueName(), SecretString: testValue() })),
      );
      expect(error).toBeInstanceOf(ResourceNotFoundException);
    });
  });

  describe('UpdateSecretVersionStage', () => {
    it('moves AWSCURRENT to another version and AWSPREVIOUS to the one it left', async () => {
      const { name, v1 } = await newSecret(h.client);
      const v2 = (
        await h.client.send(
          new PutSecretValueCommand({
            SecretId: name,
            SecretString: testValue(),
            VersionStages: ['AWSPENDING'],
          }),
        )
      ).VersionId!;
      await h.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: v2,
          RemoveFromVersionId: v1,
        }),
      );
      expect(await stagesOf(h.client, name)).toEqual({
        [v1]: ['AWSPREVIOUS'],
        [v2]: ['AWSPENDING', 'AWSCURRENT'],
      });
    });

    it('refuses to move a label attached elsewhere without RemoveFromVersionId', async () => {
      const { name, v1 } = await newSecret(h.client);
      const v2 = (
        await h.client.send(
          new PutSecretValueCommand({
            SecretId: name,
            SecretString: testValue(),
            VersionStages: ['AWSPENDING'],
          }),
        )
      ).VersionId!;
      const error = await rejectionOf(
        h.client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: name,
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: v2,
          }),
        ),
      );
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect(error.message).toBe(
        `The parameter RemoveFromVersionId can't be empty. Staging label AWSCURRENT is currently attached to version ${v1}, so you must explicitly reference that version in RemoveFromVersionId.`,
      );
      expect(await stagesOf(h.client, name)).toEqual({ [v1]: ['AWSCURRENT'], [v2]: ['AWSPENDING'] });
    });

    it('refuses a RemoveFromVersionId that does not hold the label', async () => {
      const { name, v1 } = await newSecret(h.client);
      const v2 = (
        await h.client.send(
          new PutSecretValueCommand({
            SecretId: name,
            SecretString: testValue(),
            VersionStages: ['AWSPENDING'],
          }),
        )
      ).VersionId!;
      const v3 = (
        await h.client.send(
          new PutSecretValueCommand({ SecretId: name, SecretString: testValue(), VersionStages: ['other'] }),
        )
      ).VersionId!;
      const error = await rejectionOf(
        h.client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: name,
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: v2,
            RemoveFromVersionId: v3,
          }),
        ),
      );
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect(await stagesOf(h.client, name)).toEqual({
        [v1]: ['AWSCURRENT'],
        [v2]: ['AWSPENDING'],
        [v3]: ['other'],
      });
    });

    it('removes a label from the version named by RemoveFromVersionId, which then is deprecated', async () => {
      const { name, v1 } = await newSecret(h.client);
      const v2 = (
        await h.client.send(
          new PutSecretValueCommand({
            SecretId: name,
            SecretString: testValue(),
            VersionStages: ['AWSPENDING'],
          }),
        )
      ).VersionId!;
      await h.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSPENDING',
          RemoveFromVersionId: v2,
        }),
      );
      expect(await stagesOf(h.client, name)).toEqual({ [v1]: ['AWSCURRENT'] });
      const listed = await h.client.send(
        new ListSecretVersionIdsCommand({ SecretId: name, IncludeDeprecated: true }),
      );
      expect(listed.Versions!.map((v) => [v.VersionId, v.VersionStages])).toEqual([
        [v1, ['AWSCURRENT']],
        [v2, undefined],
      ]);
      // A deprecated version can still be read by its id until it is removed.
      await expect(
        h.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: v2 })),
      ).resolves.toMatchObject({ VersionId: v2 });
    });

    it('refuses to remove a label from a version that does not have it', async () => {
      const { name, v1 } = await newSecret(h.client);
      const error = await rejectionOf(
        h.client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: name,
            VersionStage: 'AWSPENDING',
            RemoveFromVersionId: v1,
          }),
        ),
      );
      expect(error).toBeInstanceOf(InvalidParameterException);
    });

    it('refuses to remove AWSCURRENT without moving it', async () => {
      const { name, v1 } = await newSecret(h.client);
      const error = await rejectionOf(
        h.client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: name,
            VersionStage: 'AWSCURRENT',
            RemoveFromVersionId: v1,
          }),
        ),
      );
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect(await stagesOf(h.client, name)).toEqual({ [v1]: ['AWSCURRENT'] });
    });

    it('does nothing when the label is already on the target version', async () => {
      const { name, v1 } = await newSecret(h.client);
      await h.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: v1,
          RemoveFromVersionId: v1,
        }),
      );
      await h.client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: v1,
        }),
      );
      expect(await stagesOf(h.client, name)).toEqual({ [v1]: ['AWSCURRENT'] });
    });

    it('attaches a new label to a version without RemoveFromVersionId', async () => {
      const { name, v1 } = await newSecret(h.client);
      await h.client.send(
        new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'blue', MoveToVersionId: v1 }),
      );
      expect(await stagesOf(h.client, name)).toEqual({ [v1]: ['AWSCURRENT', 'blue'] });
    });

    it('refuses an unknown version id', async () => {
      const { name } = await newSecret(h.client);
      const error = await rejectionOf(
        h.client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: name,
            VersionStage: 'blue',
            MoveToVersionId: randomUUID(),
          }),
        ),
      );
      expect(error).toBeInstanceOf(InvalidParameterException);
    });
  });

  describe('ListSecretVersionIds', () => {
    it('lists labelled versions, pages through them, and removes the oldest deprecated versions beyond the quota', async () => {
      const { name, v1 } = await newSecret(h.client);
      const ids = [v1];
      for (let i = 0; i < 6; i++) {
        ids.push(
          (await h.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: testValue() })))
            .VersionId!,
        );
      }
      const labelled = await h.client.send(new ListSecretVersionIdsCommand({ SecretId: name }));
      expect(labelled.Versions!.map((v) => v.VersionId)).toEqual(ids.slice(-2));
      // maxVersions is 5 in this suite: the two oldest deprecated versions are gone.
      const all: string[] = [];
      let token: string | undefined;
      do {
        const page = await h.client.send(
          new ListSecretVersionIdsCommand({
            SecretId: name,
            IncludeDeprecated: true,
            MaxResults: 2,
            NextToken: token,
          }),
        );
        expect(page.Versions!.length).toBeLessThanOrEqual(2);
        all.push(...page.Versions!.map((v) => v.VersionId!));
        token = page.NextToken;
      } while (token);
      expect(all).toEqual(ids.slice(2));
      const gone = await rejectionOf(
        h.client.send(new GetSecretValueCommand({ SecretId: name, VersionId: v1 })),
      );
      expect(gone).toBeInstanceOf(ResourceNotFoundException);
    });

    it('refuses a NextToken it did not issue', async () => {
      const { name } = await newSecret(h.client);
      const error = await rejectionOf(
        h.client.send(new ListSecretVersionIdsCommand({ SecretId: name, NextToken: 'bogus' })),
      );
      expect(error).toBeInstanceOf(InvalidNextTokenException);
    });

    it('refuses MaxResults outside 1 to 100 with ValidationException', async () => {
      const { name } = await newSecret(h.client);
      const error = await rejectionOf(
        h.client.send(new ListSecretVersionIdsCommand({ SecretId: name, MaxResults: 101 })),
      );
      expect(error.name).toBe('ValidationException');
    });
  });
});
