import type { Sensitive } from '../sensitive';

/** The staging labels of the rotation contract. */
export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';
/**
 * Rotor's own label for the pending version of a rotation that was given up (`abandonRotation`, or a new
 * token replacing a leftover AWSPENDING). Its credentials may already be applied to the service, so the
 * next setSecret tries them; finishSecret removes the label.
 */
export const ROTOR_ABANDONED = 'ROTOR_ABANDONED';

/** What DescribeSecret tells the engine. */
export interface SecretDescription {
  readonly arn: string;
  readonly name: string;
  /** `undefined` when Secrets Manager does not say (treated as enabled, as AWS's database templates do). */
  readonly rotationEnabled?: boolean;
  /** The function Secrets Manager invokes for this secret's rotation, when rotation is configured. */
  readonly rotationLambdaArn?: string;
  /** Only versions with at least one staging label; unlabelled (deprecated) versions are not listed. */
  readonly versionIdsToStages: Readonly<Record<string, readonly string[]>>;
  readonly tags: Readonly<Record<string, string>>;
}

/** One version of a secret with its value. */
export interface SecretVersion {
  readonly versionId: string;
  readonly secretString: Sensitive<string>;
  readonly stages: readonly string[];
}

/** Which version to read: by stage, by id, or both (then the stage must be on that version). */
export interface VersionSelector {
  readonly stage?: string;
  readonly versionId?: string;
}

/** The arguments of GetRandomPassword. */
export interface RandomPasswordRequest {
  readonly length: number;
  readonly excludeCharacters: string;
  readonly excludeNumbers: boolean;
  readonly excludePunctuation: boolean;
  readonly excludeUppercase: boolean;
  readonly excludeLowercase: boolean;
  readonly includeSpace: boolean;
  readonly requireEachIncludedType: boolean;
}

/**
 * The Secrets Manager operations the rotation contract needs. Implemented over the SDK in
 * `adapters/secrets-store.ts`; tests use an in-memory store with the same staging rules.
 *
 * Errors: throttling and internal failures as `SecretStoreUnavailableError` (retryable), other refusals
 * as `SecretStoreRequestError` (a secret that does not exist: check `secret-exists`).
 */
export interface SecretStore {
  describe(secretId: string): Promise<SecretDescription>;
  /** The version selected, or `undefined` when no version matches or it holds no value yet. */
  getValue(secretId: string, selector: VersionSelector): Promise<SecretVersion | undefined>;
  /**
   * PutSecretValue with `token` as the version id. Each stage moves to the new version. Idempotent for the
   * same value; a different value under an existing token throws `VersionExistsError`.
   */
  putValue(
    secretId: string,
    put: { token: string; secretString: Sensitive<string>; stages: readonly string[] },
  ): Promise<void>;
  /**
   * UpdateSecretVersionStage: attach `stage` to `moveToVersionId` (removing it from `removeFromVersionId`,
   * which must be where it is now), or only remove it when `moveToVersionId` is absent.
   */
  updateVersionStage(
    secretId: string,
    update: { stage: string; moveToVersionId?: string; removeFromVersionId?: string },
  ): Promise<void>;
  getRandomPassword(request: RandomPasswordRequest): Promise<Sensitive<string>>;
}

/** Safe fields for a log line: identifiers and outcomes, never values. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** Where the engine and the rotators write what they did. Never given a secret value. */
export interface RotationLog {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
}

/** A log that drops everything. */
export const silentLog: RotationLog = { info: () => undefined, warn: () => undefined };
