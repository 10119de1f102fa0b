// The secrets planted in the benchmark image, generated at run time (never literals: the prefixes are built
// by concatenation), and the truth the scanners are scored against. Values stay in memory: only kinds,
// paths and lines are printed.
import { generateKeyPairSync } from 'node:crypto';
import { ALNUM, BASE32, BASE64, DIGITS, Random } from './random';

/** Kinds of planted secret. */
export type PlantedKind =
  | 'aws-access-key-id'
  | 'aws-secret-access-key'
  | 'postgres-url'
  | 'private-key-pem'
  | 'stripe-live-key'
  | 'slack-bot-token'
  | 'jwt';

/** One planted secret: where it is (path in the image, 1-based line of its start), never its value. */
export interface TruthItem {
  readonly kind: PlantedKind;
  readonly path: string;
  readonly line: number;
  /** Where it sits, for the report: `.env`, minified bundle, JSON string... */
  readonly context: string;
}

/** A snippet to insert into a file: its text and, per secret, the 0-based line inside the snippet. */
export interface Snippet {
  readonly text: string;
  readonly secrets: ReadonlyArray<{ kind: PlantedKind; lineInSnippet: number }>;
}

/** Makes credential-shaped values from the run's seed. */
export class SecretMaker {
  constructor(private readonly r: Random) {}

  awsKeyId(): string {
    return `${'AK'}${'IA'}${this.r.chars(BASE32, 16)}`;
  }

  awsSecret(): string {
    // 40 characters of base64 that mix classes, as AWS secrets do.
    let s = '';
    while (!/[A-Z]/.test(s) || !/[a-z]/.test(s) || !/[0-9]/.test(s)) s = this.r.chars(BASE64, 40);
    return s;
  }

  postgresUrl(): string {
    return `${'postgres'}://orders_app:${this.r.chars(ALNUM, 12)}${this.r.pick(['-', '_', '.'])}${this.r.chars(ALNUM, 8)}@orders-db.internal.example:5432/orders`;
  }

  stripe(): string {
    return `${'sk'}_${'live'}_${this.r.chars(ALNUM, 24 + this.r.int(75))}`;
  }

  slack(): string {
    // The bot-token prefix, then <team digits>-<bot digits>-<24 alphanumerics>, as Slack issues them.
    return `${'xo'}${'xb'}-${this.r.chars(DIGITS, 12)}-${this.r.chars(DIGITS, 13)}-${this.r.chars(ALNUM, 24)}`;
  }

  jwt(): string {
    const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const header = b64url({ alg: 'HS256', typ: 'JWT' });
    const payload = b64url({
      sub: `user-${this.r.int(1e6)}`,
      iat: 1790000000 + this.r.int(1e6),
      exp: 1890000000,
      scope: 'orders:write',
    });
    return `${header}.${payload}.${this.r.bytes(32).toString('base64url')}`;
  }

  /** A real key from node:crypto (not seeded: its bytes differ between runs, its shape does not). */
  pem(type: 'rsa' | 'ec'): string {
    if (type === 'rsa') {
      return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
        type: 'pkcs8',
        format: 'pem',
      }) as string;
    }
    return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'sec1',
      format: 'pem',
    }) as string;
  }
}

/** The files of the image that carry planted secrets, by what they are. */
export function plantedSnippets(m: SecretMaker): Record<string, Snippet> {
  const rsa = m.pem('rsa').trimEnd();
  const ec = m.pem('ec').trimEnd();
  return {
    dotenv: {
      text: [
        'NODE_ENV=production',
        'PORT=8080',
        `AWS_ACCESS_KEY_ID=${m.awsKeyId()}`,
        `AWS_SECRET_ACCESS_KEY=${m.awsSecret()}`,
        `DATABASE_URL=${m.postgresUrl()}`,
        `STRIPE_SECRET_KEY=${m.stripe()}`,
        `SLACK_BOT_TOKEN=${m.slack()}`,
        'LOG_LEVEL=info',
      ].join('\n'),
      secrets: [
        { kind: 'aws-access-key-id', lineInSnippet: 2 },
        { kind: 'aws-secret-access-key', lineInSnippet: 3 },
        { kind: 'postgres-url', lineInSnippet: 4 },
        { kind: 'stripe-live-key', lineInSnippet: 5 },
        { kind: 'slack-bot-token', lineInSnippet: 6 },
      ],
    },
    awsCredentials: {
      text: `[default]\naws_access_key_id = ${m.awsKeyId()}\naws_secret_access_key = ${m.awsSecret()}\nregion = eu-west-1`,
      secrets: [
        { kind: 'aws-access-key-id', lineInSnippet: 1 },
        { kind: 'aws-secret-access-key', lineInSnippet: 2 },
      ],
    },
    serverKey: { text: rsa, secrets: [{ kind: 'private-key-pem', lineInSnippet: 0 }] },
    jsConfig: {
      text: [
        'module.exports.database = {',
        `  url: process.env.DATABASE_URL || '${m.postgresUrl()}',`,
        '  pool: { min: 2, max: 10 },',
        '};',
        `const serviceToken = '${m.jwt()}';`,
      ].join('\n'),
      secrets: [
        { kind: 'postgres-url', lineInSnippet: 1 },
        { kind: 'jwt', lineInSnippet: 4 },
      ],
    },
    bundle: {
      // Inside one long minified line.
      text: `var Ot={stripeKey:"${m.stripe()}",slack:"${m.slack()}",apiBase:"/api/v2"};`,
      secrets: [
        { kind: 'stripe-live-key', lineInSnippet: 0 },
        { kind: 'slack-bot-token', lineInSnippet: 0 },
      ],
    },
    productionJson: {
      text: `{\n  "auth": {\n    "serviceJwt": "${m.jwt()}",\n    "signingKey": ${JSON.stringify(ec)}\n  }\n}`,
      secrets: [
        { kind: 'jwt', lineInSnippet: 2 },
        { kind: 'private-key-pem', lineInSnippet: 3 },
      ],
    },
  };
}
