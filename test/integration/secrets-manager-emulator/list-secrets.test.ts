import {
  CreateSecretCommand,
  DeleteSecretCommand,
  InvalidNextTokenException,
  ListSecretsCommand,
  type Filter,
  type ListSecretsCommandInput,
} from '@aws-sdk/client-secrets-manager';
import { ManualClock, rejectionOf, startHarness, testValue, type Harness } from './support';

describe('Secrets Manager emulator: ListSecrets', () => {
  let h: Harness;
  const clock = new ManualClock();

  const names = async (input: ListSecretsCommandInput = {}): Promise<string[]> =>
    ((await h.client.send(new ListSecretsCommand(input))).SecretList ?? []).map((s) => s.Name!);
  const filtered = (...filters: Filter[]): Promise<string[]> => names({ Filters: filters });

  beforeAll(async () => {
    h = await startHarness({ clock });
    const secrets = [
      {
        Name: 'prod/db/orders',
        Description: 'Orders database credentials',
        Tags: [
          { Key: 'rotor:kind', Value: 'postgres' },
          { Key: 'team', Value: 'payments' },
        ],
      },
      {
        Name: 'prod/api/stripe',
        Description: 'Payment provider key',
        Tags: [{ Key: 'rotor:kind', Value: 'api-key' }],
      },
      {
        Name: 'staging/db/orders',
        Description: 'orders DB in staging',
        Tags: [{ Key: 'team', Value: 'Payments' }],
      },
      { Name: 'Prod/legacy', Description: undefined, Tags: [] },
      { Name: 'scheduled/for/deletion', Description: 'going away', Tags: [] },
    ];
    for (const secret of secrets) {
      clock.advance(1000);
      await h.client.send(new CreateSecretCommand({ ...secret, SecretString: testValue() }));
    }
    await h.client.send(new DeleteSecretCommand({ SecretId: 'scheduled/for/deletion' }));
  });
  afterAll(() => h.close());

  it('lists every secret not scheduled for deletion, oldest first, with metadata and no value', async () => {
    const listed = await h.client.send(new ListSecretsCommand({}));
    expect(listed.SecretList!.map((s) => s.Name)).toEqual([
      'prod/db/orders',
      'prod/api/stripe',
      'staging/db/orders',
      'Prod/legacy',
    ]);
    const first = listed.SecretList![0];
    expect(first).toMatchObject({
      Description: 'Orders database credentials',
      Tags: expect.arrayContaining([{ Key: 'team', Value: 'payments' }]),
    });
    expect(Object.values(first.SecretVersionsToStages!)).toEqual([['AWSCURRENT']]);
    expect(JSON.stringify(listed)).not.toMatch(/value-[0-9a-f]{24}/);
    expect(listed.NextToken).toBeUndefined();
  });

  it('includes secrets scheduled for deletion with IncludePlannedDeletion, with their DeletedDate', async () => {
    const listed = await h.client.send(new ListSecretsCommand({ IncludePlannedDeletion: true }));
    const scheduled = listed.SecretList!.find((s) => s.Name === 'scheduled/for/deletion');
    expect(scheduled?.DeletedDate).toEqual(clock.now());
  });

  it('sorts by name or date in either order', async () => {
    expect(await names({ SortBy: 'name', SortOrder: 'asc' })).toEqual([
      'Prod/legacy',
      'prod/api/stripe',
      'prod/db/orders',
      'staging/db/orders',
    ]);
    expect(await names({ SortOrder: 'desc' })).toEqual([
      'Prod/legacy',
      'staging/db/orders',
      'prod/api/stripe',
      'prod/db/orders',
    ]);
  });

  it('matches names by case-sensitive prefix', async () => {
    expect(await filtered({ Key: 'name', Values: ['prod/'] })).toEqual(['prod/db/orders', 'prod/api/stripe']);
    expect(await filtered({ Key: 'name', Values: ['Prod'] })).toEqual(['Prod/legacy']);
    expect(await filtered({ Key: 'name', Values: ['db/orders'] })).toEqual([]);
  });

  it('ORs the values of one filter and ANDs several filters', async () => {
    expect(await filtered({ Key: 'name', Values: ['prod/api', 'staging'] })).toEqual([
      'prod/api/stripe',
      'staging/db/orders',
    ]);
    expect(await filtered({ Key: 'name', Values: ['prod/'] }, { Key: 'tag-key', Values: ['team'] })).toEqual([
      'prod/db/orders',
    ]);
  });

  it('matches descriptions by case-insensitive prefix', async () => {
    expect(await filtered({ Key: 'description', Values: ['orders'] })).toEqual([
      'prod/db/orders',
      'staging/db/orders',
    ]);
    expect(await filtered({ Key: 'description', Values: ['database'] })).toEqual([]);
  });

  it('matches tag keys and tag values by case-sensitive prefix', async () => {
    expect(await filtered({ Key: 'tag-key', Values: ['rotor:'] })).toEqual([
      'prod/db/orders',
      'prod/api/stripe',
    ]);
    expect(await filtered({ Key: 'tag-value', Values: ['pay'] })).toEqual(['prod/db/orders']);
    expect(await filtered({ Key: 'tag-value', Values: ['Pay'] })).toEqual(['staging/db/orders']);
  });

  it('excludes the secrets matching a value prefixed with !', async () => {
    expect(await filtered({ Key: 'name', Values: ['!prod'] })).toEqual(['staging/db/orders', 'Prod/legacy']);
    expect(await filtered({ Key: 'tag-key', Values: ['!rotor:'] })).toEqual([
      'staging/db/orders',
      'Prod/legacy',
    ]);
    expect(await filtered({ Key: 'name', Values: ['prod', '!prod/api'] })).toEqual(['prod/db/orders']);
  });

  it('matches words anywhere in name, description and tags with the all filter, ignoring case', async () => {
    expect(await filtered({ Key: 'all', Values: ['ORDERS'] })).toEqual([
      'prod/db/orders',
      'staging/db/orders',
    ]);
    expect(await filtered({ Key: 'all', Values: ['paymentsTeam'] })).toEqual([
      'prod/db/orders',
      'staging/db/orders',
    ]);
    expect(await filtered({ Key: 'all', Values: ['stripe'] })).toEqual(['prod/api/stripe']);
    // Words are alternatives: "My_Secret" finds secrets with the word my or secret.
    expect(await filtered({ Key: 'all', Values: ['stripe_LEGACY'] })).toEqual([
      'prod/api/stripe',
      'Prod/legacy',
    ]);
  });

  it('matches nothing for primary-region and owning-service, as no secret here is replicated or managed', async () => {
    expect(await filtered({ Key: 'primary-region', Values: ['us-'] })).toEqual([]);
    expect(await filtered({ Key: 'owning-service', Values: ['rds'] })).toEqual([]);
  });

  it('refuses an unknown filter key and a value outside the documented pattern with ValidationException', async () => {
    expect((await rejectionOf(filtered({ Key: 'colour' as never, Values: ['x'] }))).name).toBe(
      'ValidationException',
    );
    expect((await rejectionOf(filtered({ Key: 'name', Values: ['semi;colon'] }))).name).toBe(
      'ValidationException',
    );
  });

  it('pages with MaxResults and NextToken', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await h.client.send(new ListSecretsCommand({ MaxResults: 3, NextToken: token }));
      seen.push(...page.SecretList!.map((s) => s.Name!));
      token = page.NextToken;
      pages++;
    } while (token);
    expect(pages).toBe(2);
    expect(seen).toEqual(await names());
  });

  it('refuses a NextToken it did not issue', async () => {
    expect(
      await rejectionOf(h.client.send(new ListSecretsCommand({ NextToken: 'not-a-token' }))),
    ).toBeInstanceOf(InvalidNextTokenException);
  });
});
