import { randomUUID } from 'node:crypto';
import type { Clock } from '../../core/clock';
import { Sensitive } from '../../core/sensitive';
import { AwsServiceError } from '../aws-json-server';
import { newSecretArn, secretIdMatches, type ArnScope } from './arn';
import {
  invalidParameter,
  invalidRequest,
  limitExceeded,
  MARKED_FOR_DELETION,
  resourceExists,
  resourceNotFound,
} from './errors';
import { matchesFilters, type ListFilter } from './list-filters';
import { paginate } from './paginate';
import { nextRotationDate, type RotationRules } from './rotation-rules';

/** A secret value: text (SecretString) or bytes (SecretBinary). Held in memory only, wrapped in Sensitive. */
export type SecretValue =
  { readonly kind: 'string'; readonly text: string } | { readonly kind: 'binary'; readonly bytes: Buffer };

/** A tag as the API takes and returns it. */
export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** The staging labels Secrets Manager itself gives meaning to. */
export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';

/** How the store is set up. */
export interface SecretsStoreOptions {
  readonly scope: ArnScope;
  readonly clock: Clock;
  /**
   * How many versions a secret keeps before the oldest deprecated ones (no staging label) are removed.
   * AWS keeps about 100 (and never removes a version younger than 24 hours; the emulator ignores age).
   * @default 100
   */
  readonly maxVersions?: number;
}

interface Version {
  readonly id: string;
  value?: Sensitive<SecretValue>;
  stages: string[];
  readonly createdDate: Date;
  lastAccessedDate?: Date;
}

interface Secret {
  readonly seq: number;
  readonly arn: string;
  readonly name: string;
  description?: string;
  kmsKeyId?: string;
  tags: Tag[];
  readonly createdDate: Date;
  lastChangedDate: Date;
  lastAccessedDate?: Date;
  deletedDate?: Date;
  deletionDate?: Date;
  rotationEnabled?: boolean;
  rotationLambdaArn?: string;
  rotationRules?: RotationRules;
  rotationConfiguredDate?: Date;
  lastRotatedDate?: Date;
  readonly versions: Map<string, Version>;
}

/** What RotateSecret's set-up returns to the rotation runner. */
export interface RotationStart {
  readonly ARN: string;
  readonly Name: string;
  readonly VersionId: string;
  readonly lambdaArn: string;
  /** True when the request repeats the token of the rotation in progress (a retried RotateSecret). */
  readonly retry?: boolean;
}

const MAX_TAGS = 50;
const MAX_STAGES_PER_VERSION = 20;
const DAY_MS = 86_400_000;

/**
 * The state and rules of the emulated Secrets Manager: secrets, their versions and staging labels, tags,
 * rotation settings and scheduled deletion. Synchronous and in memory; the HTTP layer (operations.ts)
 * checks shapes and the model's constraints, this class the service's semantics. Inputs and outputs use
 * the API's member names; dates are `Date`s, values `Sensitive<SecretValue>`. It logs nothing.
 */
export class SecretsStore {
  readonly #secrets = new Map<string, Secret>();
  readonly #scope: ArnScope;
  readonly #clock: Clock;
  readonly #maxVersions: number;
  #seq = 0;

  constructor(options: SecretsStoreOptions) {
    this.#scope = options.scope;
    this.#clock = options.clock;
    this.#maxVersions = options.maxVersions ?? 100;
  }

  /** CreateSecret: a new secret, with a first version staged AWSCURRENT when a value is given. */
  createSecret(input: {
    Name: string;
    ClientRequestToken?: string;
    Description?: string;
    KmsKeyId?: string;
    Value?: Sensitive<SecretValue>;
    Tags?: readonly Tag[];
  }): { ARN: string; Name: string; VersionId?: string } {
    this.#purgeExpired();
    const existing = this.#secrets.get(input.Name);
    if (existing) {
      if (existing.deletedDate) {
        throw invalidRequest(
          "You can't create this secret because a secret with this name is already scheduled for deletion.",
        );
      }
      // A retry of the same request (same token, same value) succeeds, as the token makes it idempotent.
      const version = input.ClientRequestToken ? existing.versions.get(input.ClientRequestToken) : undefined;
      if (version && input.Value && version.value && sameValue(version.value, input.Value)) {
        return { ARN: existing.arn, Name: existing.name, VersionId: version.id };
      }
      throw resourceExists(`The operation failed because the secret ${input.Name} already exists.`);
    }
    const tags = mergeTags([], input.Tags ?? []);
    const now = this.#clock.now();
    const secret: Secret = {
      seq: ++this.#seq,
      arn: newSecretArn(this.#scope, input.Name),
      name: input.Name,
      description: input.Description,
      kmsKeyId: input.KmsKeyId,
      tags,
      createdDate: now,
      lastChangedDate: now,
      versions: new Map(),
    };
    this.#secrets.set(secret.name, secret);
    if (!input.Value) return { ARN: secret.arn, Name: secret.name };
    const version = this.#addVersion(secret, input.ClientRequestToken ?? randomUUID(), input.Value);
    this.#attachStage(secret, version, AWSCURRENT);
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id };
  }

  /** DescribeSecret: the metadata, never the value; works on secrets scheduled for deletion. */
  describeSecret(input: { SecretId: string }): Record<string, unknown> {
    this.#purgeExpired();
    const secret = this.#find(input.SecretId);
    return { ...this.#metadata(secret), VersionIdsToStages: this.#versionsToStages(secret) };
  }

  /** GetSecretValue: the version by id or label (AWSCURRENT by default); records the access date. */
  getSecretValue(input: { SecretId: string; VersionId?: string; VersionStage?: string }): {
    ARN: string;
    Name: string;
    VersionId: string;
    Value: Sensitive<SecretValue>;
    VersionStages: string[];
    CreatedDate: Date;
  } {
    this.#purgeExpired();
    const secret = this.#findLive(input.SecretId);
    let version: Version | undefined;
    if (input.VersionId !== undefined) {
      version = secret.versions.get(input.VersionId);
      if (!version?.value) {
        throw resourceNotFound(
          `Secrets Manager can't find the specified secret value for VersionId: ${input.VersionId}`,
        );
      }
      if (input.VersionStage !== undefined && !version.stages.includes(input.VersionStage)) {
        throw invalidRequest('You provided a VersionStage that is not associated to the provided VersionId.');
      }
    } else {
      const stage = input.VersionStage ?? AWSCURRENT;
      version = this.#holder(secret, stage);
      if (!version?.value) {
        throw resourceNotFound(
          `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
        );
      }
    }
    const today = startOfDay(this.#clock.now());
    secret.lastAccessedDate = today;
    version.lastAccessedDate = today;
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.id,
      Value: version.value!,
      VersionStages: [...version.stages],
      CreatedDate: version.createdDate,
    };
  }

  /**
   * PutSecretValue: a new version staged as asked (AWSCURRENT by default; the first version of a secret is
   * always AWSCURRENT). A token that names a version with the same value succeeds without change; with a
   * different value it is a `ResourceExistsException`. A token that names the empty version a rotation
   * created fills it in.
   */
  putSecretValue(input: {
    SecretId: string;
    ClientRequestToken?: string;
    Value: Sensitive<SecretValue>;
    VersionStages?: readonly string[];
  }): { ARN: string; Name: string; VersionId: string; VersionStages: string[] } {
    this.#purgeExpired();
    const secret = this.#findLive(input.SecretId);
    const version = this.#storeValue(
      secret,
      input.ClientRequestToken,
      input.Value,
      input.VersionStages ?? [AWSCURRENT],
    );
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
  }

  /** UpdateSecret: description and KMS key; a value makes a new AWSCURRENT version as PutSecretValue does. */
  updateSecret(input: {
    SecretId: string;
    ClientRequestToken?: string;
    Description?: string;
    KmsKeyId?: string;
    Value?: Sensitive<SecretValue>;
  }): { ARN: string; Name: string; VersionId?: string } {
    this.#purgeExpired();
    const secret = this.#findLive(input.SecretId);
    if (input.Description !== undefined) secret.description = input.Description;
    if (input.KmsKeyId !== undefined) secret.kmsKeyId = input.KmsKeyId;
    secret.lastChangedDate = this.#clock.now();
    if (!input.Value) return { ARN: secret.arn, Name: secret.name };
    const version = this.#storeValue(secret, input.ClientRequestToken, input.Value, [AWSCURRENT]);
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id };
  }

  /**
   * UpdateSecretVersionStage: moves a label to `MoveToVersionId` and/or removes it from
   * `RemoveFromVersionId`. A label on another version must be named in `RemoveFromVersionId`; moving
   * AWSCURRENT puts AWSPREVIOUS on the version it left. AWSCURRENT cannot be removed without a move.
   */
  updateSecretVersionStage(input: {
    SecretId: string;
    VersionStage: string;
    MoveToVersionId?: string;
    RemoveFromVersionId?: string;
  }): { ARN: string; Name: string } {
    this.#purgeExpired();
    const secret = this.#findLive(input.SecretId);
    const { VersionStage: stage, MoveToVersionId: moveTo, RemoveFromVersionId: removeFrom } = input;
    const holder = this.#holder(secret, stage);
    const result = { ARN: secret.arn, Name: secret.name };
    if (moveTo === undefined && removeFrom === undefined) {
      throw invalidParameter('You must specify MoveToVersionId, RemoveFromVersionId, or both.');
    }
    if (removeFrom !== undefined && !secret.versions.has(removeFrom)) {
      throw invalidParameter(`Not a valid version: ${removeFrom}`);
    }
    if (moveTo === undefined) {
      if (!holder || holder.id !== removeFrom) {
        throw invalidParameter(`The staging label ${stage} is not attached to version ${removeFrom}.`);
      }
      if (stage === AWSCURRENT) {
        throw invalidParameter(
          `You can't remove the staging label ${AWSCURRENT} without moving it to another version with MoveToVersionId.`,
        );
      }
      this.#detachStage(holder, stage);
      this.#changed(secret);
      return result;
    }
    const target = secret.versions.get(moveTo);
    if (!target) throw invalidParameter(`Not a valid version: ${moveTo}`);
    if (holder && holder !== target) {
      if (removeFrom === undefined) {
        throw invalidParameter(
          `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      if (removeFrom !== holder.id) {
        throw invalidParameter(
          `The staging label ${stage} is currently attached to version ${holder.id}, not to ${removeFrom}: RemoveFromVersionId must name the version that has the label.`,
        );
      }
    } else if (!holder && removeFrom !== undefined) {
      throw invalidParameter(`The staging label ${stage} is not attached to version ${removeFrom}.`);
    }
    if (holder === target) return result;
    if (target.stages.length >= MAX_STAGES_PER_VERSION) {
      throw limitExceeded(`A version can have at most ${MAX_STAGES_PER_VERSION} staging labels.`);
    }
    this.#attachStage(secret, target, stage);
    this.#changed(secret);
    return result;
  }

  /** ListSecretVersionIds: the versions with labels, and with `IncludeDeprecated` those without. */
  listSecretVersionIds(input: {
    SecretId: string;
    IncludeDeprecated?: boolean;
    MaxResults?: number;
    NextToken?: string;
  }): {
    ARN: string;
    Name: string;
    Versions: Record<string, unknown>[];
    NextToken?: string;
  } {
    this.#purgeExpired();
    const secret = this.#find(input.SecretId);
    const versions = [...secret.versions.values()]
      .filter((v) => input.IncludeDeprecated || v.stages.length > 0)
      .map((v) => ({
        VersionId: v.id,
        VersionStages: v.stages.length > 0 ? [...v.stages] : undefined,
        LastAccessedDate: v.lastAccessedDate,
        CreatedDate: v.createdDate,
        KmsKeyIds: [secret.kmsKeyId ?? 'DefaultEncryptionKey'],
      }));
    const page = paginate(versions, input.MaxResults, input.NextToken);
    return { ARN: secret.arn, Name: secret.name, Versions: page.items, NextToken: page.nextToken };
  }

  /** ListSecrets: metadata of the secrets that pass the filters, sorted and paginated. */
  listSecrets(input: {
    Filters?: readonly ListFilter[];
    IncludePlannedDeletion?: boolean;
    MaxResults?: number;
    NextToken?: string;
    SortOrder?: 'asc' | 'desc';
    SortBy?: 'created-date' | 'last-accessed-date' | 'last-changed-date' | 'name';
  }): { SecretList: Record<string, unknown>[]; NextToken?: string } {
    this.#purgeExpired();
    const secrets = this.#sorted(
      input.Filters ?? [],
      input.IncludePlannedDeletion ?? false,
      input.SortBy,
      input.SortOrder,
    ).map((s) => ({ ...this.#metadata(s), SecretVersionsToStages: this.#versionsToStages(s) }));
    const page = paginate(secrets, input.MaxResults, input.NextToken);
    return { SecretList: page.items, NextToken: page.nextToken };
  }

  #sorted(
    filters: readonly ListFilter[],
    includePlannedDeletion: boolean,
    sortBy: 'created-date' | 'last-accessed-date' | 'last-changed-date' | 'name' | undefined,
    sortOrder: 'asc' | 'desc' | undefined,
  ): Secret[] {
    const sortKey = (s: Secret): number | string => {
      switch (sortBy) {
        case 'name':
          return s.name;
        case 'last-accessed-date':
          return s.lastAccessedDate?.getTime() ?? 0;
        case 'last-changed-date':
          return s.lastChangedDate.getTime();
        default:
          return s.createdDate.getTime();
      }
    };
    const direction = sortOrder === 'desc' ? -1 : 1;
    return [...this.#secrets.values()]
      .filter((s) => includePlannedDeletion || !s.deletedDate)
      .filter((s) => matchesFilters(s, filters))
      .sort((a, b) => {
        const [x, y] = [sortKey(a), sortKey(b)];
        return direction * (x < y ? -1 : x > y ? 1 : a.seq - b.seq);
      });
  }

  /**
   * BatchGetSecretValue: the AWSCURRENT values of the secrets named in `SecretIdList` (up to 20), or of
   * those that pass `Filters` (paginated by `MaxResults`); a secret that cannot be read is reported in
   * `Errors` with its error code instead of failing the call.
   */
  batchGetSecretValue(input: {
    SecretIdList?: readonly string[];
    Filters?: readonly ListFilter[];
    MaxResults?: number;
    NextToken?: string;
  }): {
    SecretValues: ReturnType<SecretsStore['getSecretValue']>[];
    Errors: { SecretId: string; ErrorCode: string; Message: string }[];
    NextToken?: string;
  } {
    this.#purgeExpired();
    if ((input.SecretIdList === undefined) === (input.Filters === undefined)) {
      throw invalidParameter("Either 'SecretIdList' or 'Filters' must be provided, but not both.");
    }
    if (input.MaxResults !== undefined && input.Filters === undefined) {
      throw invalidParameter(
        "'Filters' not specified. 'Filters' must also be specified when 'MaxResults' is provided.",
      );
    }
    let ids: string[];
    let nextToken: string | undefined;
    if (input.SecretIdList) {
      ids = [...input.SecretIdList];
    } else {
      const matching = this.#sorted(input.Filters ?? [], false, 'created-date', 'asc');
      const page = paginate(matching, input.MaxResults ?? 20, input.NextToken);
      ids = page.items.map((s) => s.arn);
      nextToken = page.nextToken;
    }
    const result: ReturnType<SecretsStore['batchGetSecretValue']> = {
      SecretValues: [],
      Errors: [],
      NextToken: nextToken,
    };
    for (const id of ids) {
      try {
        result.SecretValues.push(this.getSecretValue({ SecretId: id }));
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        result.Errors.push({ SecretId: id, ErrorCode: error.code, Message: error.message });
      }
    }
    return result;
  }

  /**
   * DeleteSecret: schedules deletion after a recovery window (7 to 30 days, 30 by default), or deletes at
   * once with `ForceDeleteWithoutRecovery` (also allowed on a secret already scheduled).
   */
  deleteSecret(input: {
    SecretId: string;
    RecoveryWindowInDays?: number;
    ForceDeleteWithoutRecovery?: boolean;
  }): {
    ARN: string;
    Name: string;
    DeletionDate: Date;
  } {
    this.#purgeExpired();
    if (input.ForceDeleteWithoutRecovery && input.RecoveryWindowInDays !== undefined) {
      throw invalidParameter(
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
    }
    const window = input.RecoveryWindowInDays ?? 30;
    if (!Number.isInteger(window) || window < 7 || window > 30) {
      throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    const secret = this.#find(input.SecretId);
    const now = this.#clock.now();
    if (input.ForceDeleteWithoutRecovery) {
      this.#secrets.delete(secret.name);
      return { ARN: secret.arn, Name: secret.name, DeletionDate: now };
    }
    if (secret.deletedDate) throw invalidRequest(MARKED_FOR_DELETION);
    secret.deletedDate = now;
    secret.deletionDate = new Date(now.getTime() + window * DAY_MS);
    return { ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletionDate };
  }

  /** RestoreSecret: cancels a scheduled deletion (a no-op on a secret that is not scheduled). */
  restoreSecret(input: { SecretId: string }): { ARN: string; Name: string } {
    this.#purgeExpired();
    const secret = this.#find(input.SecretId);
    secret.deletedDate = undefined;
    secret.deletionDate = undefined;
    return { ARN: secret.arn, Name: secret.name };
  }

  /** TagResource: adds tags, replacing the value of a key that exists. At most 50 tags. */
  tagResource(input: { SecretId: string; Tags: readonly Tag[] }): void {
    this.#purgeExpired();
    const secret = this.#findLive(input.SecretId);
    secret.tags = mergeTags(secret.tags, input.Tags);
    this.#changed(secret);
  }

  /** UntagResource: removes the tags with these keys; unknown keys are ignored. */
  untagResource(input: { SecretId: string; TagKeys: readonly string[] }): void {
    this.#purgeExpired();
    const secret = this.#findLive(input.SecretId);
    secret.tags = secret.tags.filter((tag) => !input.TagKeys.includes(tag.Key));
    this.#changed(secret);
  }

  /**
   * The synchronous part of RotateSecret: records the rotation settings and creates the version the
   * rotation will fill, without a value and staged AWSPENDING (as Secrets Manager does before it invokes
   * the function). Refused while an earlier rotation is unfinished (AWSPENDING on a version that is not
   * AWSCURRENT), unless the request repeats that rotation's token, and when the function is unknown
   * (`isKnownFunction`).
   */
  beginRotation(
    input: {
      SecretId: string;
      ClientRequestToken?: string;
      RotationLambdaARN?: string;
      RotationRules?: RotationRules;
    },
    isKnownFunction: (lambdaArn: string) => boolean,
  ): RotationStart {
    this.#purgeExpired();
    const secret = this.#findLive(input.SecretId);
    const lambdaArn = input.RotationLambdaARN ?? secret.rotationLambdaArn;
    if (!lambdaArn) {
      throw invalidRequest(
        "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN configured and you didn't include such an ARN as a parameter in this call.",
      );
    }
    if (!isKnownFunction(lambdaArn)) throw resourceNotFound(`Resource not found for ARN '${lambdaArn}'.`);
    const pending = this.#holder(secret, AWSPENDING);
    if (pending && !pending.stages.includes(AWSCURRENT)) {
      // The same token again is a retry of the request that started this rotation (the SDK reuses it).
      if (input.ClientRequestToken === pending.id)
        return { ARN: secret.arn, Name: secret.name, VersionId: pending.id, lambdaArn, retry: true };
      throw invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
    }
    const token = input.ClientRequestToken ?? randomUUID();
    if (secret.versions.has(token)) {
      throw resourceExists(`A version with the ClientRequestToken ${token} already exists for this secret.`);
    }
    const now = this.#clock.now();
    secret.rotationLambdaArn = lambdaArn;
    secret.rotationEnabled = true;
    if (input.RotationRules) {
      secret.rotationRules = input.RotationRules;
      secret.rotationConfiguredDate = now;
    }
    secret.rotationConfiguredDate ??= now;
    const version = this.#addVersion(secret, token, undefined);
    this.#attachStage(secret, version, AWSPENDING);
    return { ARN: secret.arn, Name: secret.name, VersionId: version.id, lambdaArn };
  }

  /**
   * Records the end of a rotation run: a successful full rotation sets LastRotatedDate; a test-only run
   * (`RotateImmediately: false`) removes the AWSPENDING label it added, as Secrets Manager does.
   */
  endRotation(
    arn: string,
    versionId: string,
    outcome: { succeeded: boolean; rotateImmediately: boolean },
  ): void {
    const secret = [...this.#secrets.values()].find((s) => s.arn === arn);
    if (!secret) return;
    if (!outcome.rotateImmediately) {
      const version = secret.versions.get(versionId);
      if (version?.stages.includes(AWSPENDING)) this.#detachStage(version, AWSPENDING);
      this.#prune(secret);
      return;
    }
    if (outcome.succeeded) secret.lastRotatedDate = this.#clock.now();
  }

  /**
   * The ARNs of the secrets whose NextRotationDate has come on the emulator's clock: rotation enabled, not
   * scheduled for deletion, no rotation unfinished. Secrets Manager would start their rotation now.
   */
  dueForRotation(): string[] {
    this.#purgeExpired();
    const now = this.#clock.now().getTime();
    return [...this.#secrets.values()]
      .filter((secret) => {
        if (!secret.rotationEnabled || secret.deletedDate) return false;
        const next = this.#metadata(secret).NextRotationDate as Date | undefined;
        const pending = this.#holder(secret, AWSPENDING);
        return (
          next !== undefined && next.getTime() <= now && (!pending || pending.stages.includes(AWSCURRENT))
        );
      })
      .map((secret) => secret.arn);
  }

  /** CancelRotateSecret: turns automatic rotation off; returns the unfinished version, if any. */
  cancelRotateSecret(input: { SecretId: string }): { ARN: string; Name: string; VersionId?: string } {
    this.#purgeExpired();
    const secret = this.#findLive(input.SecretId);
    if (!secret.rotationLambdaArn) {
      throw invalidRequest(
        "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN configured and you didn't include such an ARN as a parameter in this call.",
      );
    }
    secret.rotationEnabled = false;
    const pending = this.#holder(secret, AWSPENDING);
    const unfinished = pending && !pending.stages.includes(AWSCURRENT) ? pending.id : undefined;
    return { ARN: secret.arn, Name: secret.name, VersionId: unfinished };
  }

  /** Finds a secret by name, full ARN or partial ARN; `ResourceNotFoundException` otherwise. */
  #find(secretId: string): Secret {
    for (const secret of this.#secrets.values()) {
      if (secretIdMatches(secretId, secret, this.#scope)) return secret;
    }
    throw resourceNotFound();
  }

  /** Like #find, and refuses a secret scheduled for deletion. */
  #findLive(secretId: string): Secret {
    const secret = this.#find(secretId);
    if (secret.deletedDate) throw invalidRequest(MARKED_FOR_DELETION);
    return secret;
  }

  /** Secrets whose recovery window has passed are gone, as they would be on AWS. */
  #purgeExpired(): void {
    const now = this.#clock.now().getTime();
    for (const [name, secret] of this.#secrets) {
      if (secret.deletionDate && secret.deletionDate.getTime() <= now) this.#secrets.delete(name);
    }
  }

  #storeValue(
    secret: Secret,
    token: string | undefined,
    value: Sensitive<SecretValue>,
    stages: readonly string[],
  ): Version {
    const existing = token === undefined ? undefined : secret.versions.get(token);
    if (existing?.value) {
      if (sameValue(existing.value, value)) return existing;
      throw resourceExists("You can't modify an existing version, you can only create a new version.");
    }
    const wanted = [...new Set(stages)];
    if (wanted.length > MAX_STAGES_PER_VERSION) {
      throw limitExceeded(`A version can have at most ${MAX_STAGES_PER_VERSION} staging labels.`);
    }
    // A version this call creates while no version is AWSCURRENT becomes AWSCURRENT, whatever the request
    // says; filling the empty version of a rotation (a secret created without a value) does not.
    if (!existing && !this.#holder(secret, AWSCURRENT) && !wanted.includes(AWSCURRENT))
      wanted.push(AWSCURRENT);
    const version = existing ?? this.#addVersion(secret, token ?? randomUUID(), undefined);
    version.value = value;
    for (const stage of wanted) this.#attachStage(secret, version, stage);
    this.#changed(secret);
    return version;
  }

  #addVersion(secret: Secret, id: string, value: Sensitive<SecretValue> | undefined): Version {
    const version: Version = { id, value, stages: [], createdDate: this.#clock.now() };
    secret.versions.set(id, version);
    return version;
  }

  #holder(secret: Secret, stage: string): Version | undefined {
    for (const version of secret.versions.values()) if (version.stages.includes(stage)) return version;
    return undefined;
  }

  /** A label is on one version at a time; moving AWSCURRENT puts AWSPREVIOUS on the version it left. */
  #attachStage(secret: Secret, version: Version, stage: string): void {
    const holder = this.#holder(secret, stage);
    if (holder === version) return;
    if (holder) this.#detachStage(holder, stage);
    version.stages.push(stage);
    if (stage === AWSCURRENT && holder) this.#attachStage(secret, holder, AWSPREVIOUS);
    this.#prune(secret);
  }

  #detachStage(version: Version, stage: string): void {
    version.stages = version.stages.filter((s) => s !== stage);
  }

  #changed(secret: Secret): void {
    secret.lastChangedDate = this.#clock.now();
    this.#prune(secret);
  }

  /** Removes the oldest deprecated versions beyond the version quota. */
  #prune(secret: Secret): void {
    if (secret.versions.size <= this.#maxVersions) return;
    for (const version of [...secret.versions.values()]) {
      if (secret.versions.size <= this.#maxVersions) break;
      if (version.stages.length === 0) secret.versions.delete(version.id);
    }
  }

  #versionsToStages(secret: Secret): Record<string, string[]> {
    const map: Record<string, string[]> = {};
    for (const version of secret.versions.values())
      if (version.stages.length > 0) map[version.id] = [...version.stages];
    return map;
  }

  #metadata(secret: Secret): Record<string, unknown> {
    const rotationConfigured = secret.rotationEnabled !== undefined;
    const base = secret.lastRotatedDate ?? secret.rotationConfiguredDate;
    return {
      ARN: secret.arn,
      Name: secret.name,
      Description: secret.description,
      KmsKeyId: secret.kmsKeyId,
      RotationEnabled: rotationConfigured ? secret.rotationEnabled : undefined,
      RotationLambdaARN: secret.rotationLambdaArn,
      RotationRules: secret.rotationRules,
      LastRotatedDate: secret.lastRotatedDate,
      LastChangedDate: secret.lastChangedDate,
      LastAccessedDate: secret.lastAccessedDate,
      DeletedDate: secret.deletedDate,
      NextRotationDate:
        secret.rotationEnabled && base ? nextRotationDate(secret.rotationRules, base) : undefined,
      Tags: secret.tags.length > 0 ? secret.tags.map((t) => ({ ...t })) : undefined,
      CreatedDate: secret.createdDate,
    };
  }
}

function sameValue(a: Sensitive<SecretValue>, b: Sensitive<SecretValue>): boolean {
  const [x, y] = [a.reveal(), b.reveal()];
  if (x.kind === 'string' && y.kind === 'string') return x.text === y.text;
  if (x.kind === 'binary' && y.kind === 'binary') return x.bytes.equals(y.bytes);
  return false;
}

function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const merged = new Map(existing.map((t) => [t.Key, t.Value]));
  for (const tag of added) merged.set(tag.Key, tag.Value);
  if (merged.size > MAX_TAGS) throw limitExceeded(`A secret can have at most ${MAX_TAGS} tags.`);
  return [...merged].map(([Key, Value]) => ({ Key, Value }));
}

function startOfDay(date: Date): Date {
  return new Date(Math.floor(date.getTime() / DAY_MS) * DAY_MS);
}
