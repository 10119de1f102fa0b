import { InvalidSecretReferenceError } from './errors';

/**
 * How a task definition can name a Secrets Manager secret, and whether a given `valueFrom` names ours.
 *
 * ECS accepts (Pass Secrets Manager secrets through Amazon ECS environment variables, and the
 * container definition reference):
 *   arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 chars>          the full ARN
 *   arn:aws:secretsmanager:<region>:<account>:secret:<name>                    a partial ARN (no suffix)
 *   <either ARN>:<json-key>:<version-stage>:<version-id>                       a key and/or a version
 *   <name>                                                                     a bare name, same account and region
 * and, through Parameter Store, `/aws/reference/secretsmanager/<name>` (as a name or an `ssm` ARN).
 * Secret names cannot contain `:`, so splitting on colons is exact. Names are compared whole: a partial
 * ARN `prod/db-replica` is not a prefix match for `prod/db`.
 */

/** A Secrets Manager secret, identified by its full ARN. */
export interface SecretIdentity {
  readonly arn: string;
  readonly name: string;
}

/** A secret's ARN taken apart. */
export interface ParsedSecretArn {
  readonly arn: string;
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly name: string;
  /** `<name>-<6 chars>`: the last part of the full ARN. */
  readonly fullName: string;
}

/** What a `valueFrom` (or `credentialsParameter`) points at. */
export type ParsedValueFrom =
  | {
      /** A Secrets Manager ARN, full or partial, with an optional key and version tail. */
      readonly kind: 'secret-arn';
      readonly partition: string;
      readonly region: string;
      readonly account: string;
      /** The name part: `<name>-<6 chars>` (full) or `<name>` (partial). */
      readonly secretId: string;
      readonly jsonKey?: string;
      readonly versionStage?: string;
      readonly versionId?: string;
    }
  | {
      /** A bare name, resolved in the task's own account and region (a secret, or a parameter of that name). */
      readonly kind: 'name';
      readonly secretId: string;
      readonly jsonKey?: string;
      readonly versionStage?: string;
      readonly versionId?: string;
    }
  | {
      /** A Parameter Store reference to a secret: `/aws/reference/secretsmanager/<id>`. */
      readonly kind: 'parameter-reference';
      /** Present when given as an `ssm` ARN; otherwise the task's account and region apply. */
      readonly region?: string;
      readonly account?: string;
      readonly secretId: string;
    }
  | { readonly kind: 'other' };

/** Where the task definition lives: bare names resolve in this account and region. */
export interface TaskLocation {
  readonly region: string;
  readonly account: string;
}

const SUFFIX = /^[A-Za-z0-9]{6}$/;
const REFERENCE_PREFIX = '/aws/reference/secretsmanager/';

/**
 * Parses a full secret ARN and checks that it agrees with the name (`<name>-<6 chars>`).
 * @throws InvalidSecretReferenceError naming what is wrong.
 */
export function parseSecretArn(secret: SecretIdentity): ParsedSecretArn {
  const parts = secret.arn.split(':');
  if (parts.length !== 7 || parts[0] !== 'arn' || parts[2] !== 'secretsmanager' || parts[5] !== 'secret') {
    throw new InvalidSecretReferenceError('the secret ARN is not a Secrets Manager secret ARN', {
      secretId: secret.arn,
    });
  }
  const [, partition, , region, account, , fullName] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const suffix = fullName.slice(secret.name.length + 1);
  if (secret.name.length === 0 || !fullName.startsWith(`${secret.name}-`) || !SUFFIX.test(suffix)) {
    throw new InvalidSecretReferenceError(
      'the secret ARN must be the full ARN: the name followed by a hyphen and 6 characters',
      { secretId: secret.arn },
    );
  }
  return { arn: secret.arn, partition, region, account, name: secret.name, fullName };
}

/** Takes a `valueFrom` apart. Never throws: what it does not recognise is `other`. */
export function parseValueFrom(valueFrom: string): ParsedValueFrom {
  const value = valueFrom.trim();
  if (value.startsWith('arn:')) return parseArn(value);
  if (value.length === 0) return { kind: 'other' };
  if (value.startsWith(REFERENCE_PREFIX)) {
    const secretId = value.slice(REFERENCE_PREFIX.length);
    return secretId ? { kind: 'parameter-reference', secretId } : { kind: 'other' };
  }
  // A bare name; ECS documents no tail here, but accept one like the ARN's rather than miss a consumer.
  const [secretId = '', ...tail] = value.split(':');
  if (!secretId || tail.length > 3) return { kind: 'other' };
  return { kind: 'name', secretId, ...versionTail(tail) };
}

function parseArn(value: string): ParsedValueFrom {
  const parts = value.split(':');
  const [, partition = '', service = '', region = '', account = ''] = parts;
  if (service === 'secretsmanager') {
    // arn:p:secretsmanager:r:a:secret:<id>[:<json-key>:<version-stage>:<version-id>]
    if (parts[5] !== 'secret' || parts.length < 7 || parts.length > 10 || !parts[6]) return { kind: 'other' };
    return {
      kind: 'secret-arn',
      partition,
      region,
      account,
      secretId: parts[6],
      ...versionTail(parts.slice(7)),
    };
  }
  if (service === 'ssm') {
    const resource = parts.slice(5).join(':');
    const name = resource.startsWith('parameter/') ? `/${resource.slice('parameter/'.length)}` : '';
    if (name.startsWith(REFERENCE_PREFIX) && name.length > REFERENCE_PREFIX.length) {
      return { kind: 'parameter-reference', region, account, secretId: name.slice(REFERENCE_PREFIX.length) };
    }
  }
  return { kind: 'other' };
}

function versionTail(tail: readonly string[]): {
  jsonKey?: string;
  versionStage?: string;
  versionId?: string;
} {
  const [jsonKey, versionStage, versionId] = tail;
  return {
    ...(jsonKey ? { jsonKey } : {}),
    ...(versionStage ? { versionStage } : {}),
    ...(versionId ? { versionId } : {}),
  };
}

/**
 * Whether a parsed `valueFrom` names the secret. Bare names and Parameter Store references without an
 * account resolve in the task definition's account and region (`task`).
 */
export function referencesSecret(
  parsed: ParsedValueFrom,
  secret: ParsedSecretArn,
  task?: TaskLocation,
): boolean {
  const sameId = (id: string) => id === secret.name || id === secret.fullName;
  switch (parsed.kind) {
    case 'secret-arn':
      return (
        parsed.partition === secret.partition &&
        parsed.region === secret.region &&
        parsed.account === secret.account &&
        sameId(parsed.secretId)
      );
    case 'name':
      return task !== undefined && sameLocation(task, secret) && sameId(parsed.secretId);
    case 'parameter-reference': {
      const where = parsed.region !== undefined && parsed.account !== undefined ? parsed : task;
      return (
        where !== undefined &&
        sameLocation({ region: where.region!, account: where.account! }, secret) &&
        (sameId(parsed.secretId) || parsed.secretId === secret.arn)
      );
    }
    default:
      return false;
  }
}

function sameLocation(task: TaskLocation, secret: ParsedSecretArn): boolean {
  return task.region === secret.region && task.account === secret.account;
}

/** The account and region of an ECS ARN (a task definition's), when it is one. */
export function locationOfArn(arn: string): TaskLocation | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || !parts[3] || !parts[4]) return undefined;
  return { region: parts[3], account: parts[4] };
}
