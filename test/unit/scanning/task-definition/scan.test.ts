import fc from 'fast-check';
import { createDetector } from '../../../../core/scanning/detect';
import { fingerprintManagedValue } from '../../../../core/scanning/managed';
import { withBase62Crc32Checksum } from '../../../../core/scanning/rules/checksums';
import { ALNUM, DIGITS, password, rand, resetSampleSeed } from '../../../../core/scanning/rules/sample-kit';
import {
  SECRET_NAME_RULE_ID,
  scanTaskDefinition,
  type TaskDefinitionEnvironment,
} from '../../../../core/scanning/task-definition';
import { arnOf, revisionOf } from './support';

const fingerprintKey = 'test-fingerprint-key';
const detector = createDetector({ fingerprintKey });
const scan = (td: TaskDefinitionEnvironment) => scanTaskDefinition(td, { detector, fingerprintKey });

beforeAll(() => resetSampleSeed(5));

describe('scanTaskDefinition', () => {
  it('finds a password under a secret name and names the revision, container and variable', () => {
    const secret = password(16);
    const out = scan(revisionOf('api', 3, { DB_PASSWORD: secret, PORT: '8080' }));
    expect(out).toMatchObject({
      taskDefinitionArn: arnOf('api', 3),
      family: 'api',
      revision: 3,
      variables: 2,
    });
    expect(out.findings).toHaveLength(1);
    const [finding] = out.findings;
    expect(finding).toMatchObject({
      severity: 'high',
      location: { target: 'ecs-task-definition:api:3', path: 'app/DB_PASSWORD', line: 0 },
      taskDefinition: {
        taskDefinitionArn: arnOf('api', 3),
        family: 'api',
        revision: 3,
        container: 'app',
        variable: 'DB_PASSWORD',
      },
    });
    expect(finding!.excerpt).toMatch(/^DB_PASSWORD=.{0,4}\*\*\*\*$/);
    expect(finding!.excerpt).not.toContain(secret);
  });

  it('finds a vendor token under any name, by the detector rule of its format', () => {
    const token = withBase62Crc32Checksum('ghp' + '_', rand(ALNUM, 30));
    const [finding] = scan(revisionOf('worker', 1, { DEPLOY_SETTING: token })).findings;
    expect(finding!.ruleId).toMatch(/^github/);
    expect(finding!.severity).toBe('critical');
  });

  it('finds a low-entropy value under a secret name that the entropy-gated generic rules let through', () => {
    const weak = `Summer${rand(DIGITS, 4)}`;
    const [finding] = scan(revisionOf('api', 1, { REDIS_CREDS: weak })).findings;
    expect(finding).toMatchObject({
      ruleId: SECRET_NAME_RULE_ID,
      severity: 'high',
      location: { column: 'REDIS_CREDS='.length + 1 },
    });
    expect(finding!.excerpt).toBe('REDIS_CREDS=S****');
  });

  it.each([
    ['DB_PASSWORD', '${DB_PASSWORD}'],
    ['DB_PASSWORD', ''],
    ['DB_PASSWORD', 'changeme'],
    ['API_TOKEN', '<your-token>'],
    ['REQUIRE_PASSWORD', 'true'],
    ['DB_PASSWORD_PORT', '5432'],
    ['SECRET_TTL', '3600'],
    ['DB_SECRET_ARN', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf'],
    ['TOKEN_URL', 'https://auth.example.com/oauth/token'],
    ['PASSWORD_FILE', '/run/secrets/db'],
    ['SECRET_NAME', 'prod/orders/db'],
    ['LOG_LEVEL', 'debug'],
    ['PORT', '8080'],
  ])('reports nothing for %s=%j', (name, value) => {
    expect(scan(revisionOf('api', 1, { [name]: value })).findings).toEqual([]);
  });

  it('gives the same secret the same fingerprint in the next revision, and a different one to another secret', () => {
    const secret = password(18);
    const first = scan(revisionOf('api', 1, { DB_PASSWORD: secret })).findings[0]!;
    const next = scan(revisionOf('api', 2, { DB_PASSWORD: secret, LOG_LEVEL: 'info' })).findings[0]!;
    const other = scan(revisionOf('api', 3, { DB_PASSWORD: password(18) })).findings[0]!;
    expect(next.fingerprint).toBe(first.fingerprint);
    expect(next.location.target).not.toBe(first.location.target);
    expect(other.fingerprint).not.toBe(first.fingerprint);
  });

  it('says how to move the variable to a secrets reference and what to grant the execution role', () => {
    const [finding] = scan(revisionOf('api', 7, { STRIPE_API_KEY: rand(ALNUM, 32) })).findings;
    expect(finding!.remedy).toContain(
      '"secrets": [{ "name": "STRIPE_API_KEY", "valueFrom": "<secret ARN>" }]',
    );
    expect(finding!.remedy).toContain(':<json-key>::');
    expect(finding!.remedy).toContain('secretsmanager:GetSecretValue');
    expect(finding!.remedy).toContain('execution role');
    expect(finding!.remedy).toContain('api:7');
  });

  it('marks the live value of a managed secret and points the remedy at that secret', () => {
    const live = rand(ALNUM, 32);
    const key = 'managed-hmac-key';
    const managed = createDetector({
      fingerprintKey,
      managed: { records: [fingerprintManagedValue(key, 'prod/orders/db', 'AWSCURRENT', live, ALNUM)], key },
    });
    const [finding] = scanTaskDefinition(revisionOf('orders', 4, { SOMETHING: live }), {
      detector: managed,
      fingerprintKey,
    }).findings;
    expect(finding).toMatchObject({ managedSecret: { secretId: 'prod/orders/db', stage: 'AWSCURRENT' } });
    expect(finding!.remedy).toContain('Rotor-managed secret prod/orders/db');
  });

  it('scans every container and notes environment files it does not read', () => {
    const td: TaskDefinitionEnvironment = {
      ...revisionOf('api', 2, {}),
      containers: [
        { name: 'app', environment: [{ name: 'API_KEY', value: rand(ALNUM, 32) }], environmentFiles: [] },
        {
          name: 'sidecar',
          environment: [{ name: 'DB_PASSWORD', value: password(14) }],
          environmentFiles: [{ type: 's3', value: 'arn:aws:s3:::config-bucket/sidecar.env' }],
        },
      ],
    };
    const out = scan(td);
    expect(out.findings.map((f) => f.location.path).sort()).toEqual(['app/API_KEY', 'sidecar/DB_PASSWORD']);
    expect(out.notes).toEqual([
      {
        kind: 'environment-file-not-scanned',
        container: 'sidecar',
        ref: 'arn:aws:s3:::config-bucket/sidecar.env',
      },
    ]);
  });

  it('keeps every value out of the findings and notes', () => {
    const values = [password(14), rand(ALNUM, 40), `Winter${rand(DIGITS, 4)}`];
    const out = scan(
      revisionOf('api', 1, { DB_PASSWORD: values[0]!, API_TOKEN: values[1]!, REDIS_PASS: values[2]! }),
    );
    expect(out.findings).toHaveLength(3);
    const text = JSON.stringify(out);
    for (const v of values) expect(text).not.toContain(v);
  });
});

describe('scanTaskDefinition beyond the environment', () => {
  it('finds a token in a log option and says to move it to secretOptions', () => {
    const token = rand(ALNUM, 32);
    const td: TaskDefinitionEnvironment = {
      ...revisionOf('api', 4, {}),
      containers: [
        {
          name: 'app',
          environment: [],
          environmentFiles: [],
          logOptions: [
            { name: 'splunk-url', value: 'https://splunk.internal:8088' },
            { name: 'splunk-token', value: token },
          ],
        },
      ],
    };
    const [finding, ...rest] = scan(td).findings;
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      location: { path: 'app/logConfiguration.options/splunk-token' },
      taskDefinition: { field: 'logConfiguration.options', variable: 'splunk-token' },
    });
    expect(finding!.remedy).toContain(
      '"secretOptions": [{ "name": "splunk-token", "valueFrom": "<secret ARN>" }]',
    );
    expect(finding!.excerpt).not.toContain(token);
  });

  it('finds a password passed on the command line, across its words', () => {
    const secret = password(16);
    const td: TaskDefinitionEnvironment = {
      ...revisionOf('batch', 2, {}),
      containers: [
        {
          name: 'job',
          environment: [],
          environmentFiles: [],
          command: ['migrate', '--password', secret, '--host', 'db'],
        },
      ],
    };
    const [finding] = scan(td).findings;
    expect(finding).toMatchObject({
      location: { path: 'job/command' },
      taskDefinition: { field: 'command', variable: 'command' },
    });
    expect(finding!.remedy).toContain('"secrets": [{ "name": "<VAR>"');
    expect(JSON.stringify(finding)).not.toContain(secret);
  });

  it('reads a Docker label with the detector only: a secret-sounding key alone is not enough', () => {
    const td: TaskDefinitionEnvironment = {
      ...revisionOf('web', 1, {}),
      containers: [
        {
          name: 'app',
          environment: [],
          environmentFiles: [],
          dockerLabels: [
            { name: 'redis.creds', value: `Summer${rand(DIGITS, 4)}` },
            { name: 'deploy.key', value: withBase62Crc32Checksum('ghp' + '_', rand(ALNUM, 30)) },
          ],
        },
      ],
    };
    expect(scan(td).findings.map((f) => [f.location.path, f.taskDefinition.field])).toEqual([
      ['app/dockerLabels/deploy.key', 'dockerLabels'],
    ]);
  });
});

describe('scanTaskDefinition on hostile values', () => {
  it.each([
    ['<'.repeat(65_536)],
    ['a/'.repeat(32_768) + '!'],
    ['${'.repeat(32_768)],
    ['x'.repeat(65_535) + '\n'],
  ])('scans a 64 KiB value (%#) within a generous bound', (value) => {
    const started = Date.now();
    const out = scan(revisionOf('api', 1, { DB_PASSWORD: value, API_TOKEN: value, PLAIN: value }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(out.variables).toBe(3);
    for (const f of out.findings) expect(f.excerpt.length).toBeLessThan(200);
  });
});

describe('scanTaskDefinition never reveals a value', () => {
  const printable = fc.constantFrom(...(ALNUM + '!#%&*+-./:;=?@^_~$<>{}[]|').split(''));
  it('keeps random values of secret and plain variables out of everything it returns', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: printable, minLength: 12, maxLength: 80 }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.constantFrom('DB_PASSWORD', 'API_TOKEN', 'SETTING', 'dbSecret'),
        (values, name) => {
          const environment = Object.fromEntries(values.map((v, i) => [`${name}_${i}`, v]));
          const text = JSON.stringify(scan(revisionOf('api', 1, environment)));
          return values.every((v) => !text.includes(JSON.stringify(v).slice(1, -1)));
        },
      ),
      { numRuns: 300 },
    );
  });
});
