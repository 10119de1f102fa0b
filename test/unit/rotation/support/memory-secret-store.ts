import { randomInt, randomUUID } from 'node:crypto';
import { Sensitive } from '../../../../core/sensitive';
import {
  SecretStoreRequestError,
  SecretStoreUnavailableError,
  VersionExistsError,
} from '../../../../core/rotation/errors';
import {
  AWSCURRENT,
  AWSPENDING,
  AWSPREVIOUS,
  type RandomPasswordRequest,
  type SecretDescription,
  type SecretStore,
  type SecretVersion,
  type VersionSelector,
} from '../../../../core/rotation/ports';

/*
 * An in-memory Secrets Manager with the staging rules the rotation contract relies on:
 * - a staging label is on at most one version; PutSecretValue and UpdateSecretVersionStage move it;
 * - when AWSCURRENT moves, AWSPREVIOUS moves to the version that had it;
 * - UpdateSecretVersionStage refuses to take a label from a version other than the one holding it;
 * - AWSCURRENT cannot be removed without being moved;
 * - DescribeSecret lists only versions with labels (unlabelled ones are deprecated);
 * - RotateSecret (startRotation) creates the token's version with AWSPENDING and no value yet, so
 *   GetSecretValue on it finds nothing until createSecret puts the value;
 * - PutSecretValue with an existing token is idempotent for the same value and refused for another.
 */

interface MemoryVersion {
  value?: string;
  stages: Set<string>;
  created: number;
}

interface MemorySecret {
  name: string;
  arn: string;
  rotationEnabled?: boolean;
  tags: Record<string, string>;
  versions: Map<string, MemoryVersion>;
}

/** A fault to inject into the store's operations. */
export interface StoreFault {
  readonly operations?: readonly StoreOperation[];
  /** How many matching calls fail; unlimited when omitted. */
  times?: number;
  /** Matching calls to let through first. */
  skip?: number;
  /** The error to throw; a throttling error (retryable) when omitted. */
  readonly error?: (operation: StoreOperation, secretId: string) => Error;
}

export type StoreOperation =
  'describe' | 'getValue' | 'putValue' | 'updateVersionStage' | 'getRandomPassword';

const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const CLASSES = {
  lower: 'abcdefghijklmnopqrstuvwxyz',
  upper: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  digits: '0123456789',
  punctuation: PUNCTUATION,
};

/** The in-memory store. `calls` records each operation for assertions. */
export class MemorySecretStore implements SecretStore {
  readonly #secrets = new Map<string, MemorySecret>();
  readonly #faults: StoreFault[] = [];
  readonly calls: { operation: StoreOperation; secretId: string }[] = [];
  #clock = 0;

  /** Creates a secret whose first version is AWSCURRENT. Returns its ARN. */
  create(
    name: string,
    secretString: string,
    options: { rotationEnabled?: boolean; tags?: Record<string, string> } = {},
  ): string {
    const arn = `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-${randomUUID().slice(0, 6)}`;
    const versions = new Map<string, MemoryVersion>();
    versions.set(randomUUID(), {
      value: secretString,
      stages: new Set([AWSCURRENT]),
      created: this.#clock++,
    });
    this.#secrets.set(name, {
      name,
      arn,
      tags: { ...(options.tags ?? {}) },
      versions,
      ...(options.rotationEnabled === undefined ? {} : { rotationEnabled: options.rotationEnabled }),
    });
    return arn;
  }

  /**
   * What RotateSecret does before it invokes the function: a version with the token, AWSPENDING and no value.
   * Refuses when AWSPENDING is on another version than AWSCURRENT, unless `force` (a workflow's own token).
   */
  startRotation(secretId: string, token: string = randomUUID(), options: { force?: boolean } = {}): string {
    const secret = this.#secret(secretId);
    const holder = this.#holder(secret, AWSPENDING);
    if (holder !== undefined && !options.force && !secret.versions.get(holder)!.stages.has(AWSCURRENT)) {
      throw new SecretStoreRequestError('a previous rotation is not complete', {
        secretId,
        check: 'rotation-in-progress',
      });
    }
    if (!secret.versions.has(token))
      secret.versions.set(token, { stages: new Set(), created: this.#clock++ });
    this.#attach(secret, AWSPENDING, token);
    return token;
  }

  /** Replaces the value of a version in place (to simulate a broken or tampered version in tests). */
  overwrite(secretId: string, versionId: string, secretString: string): void {
    this.#secret(secretId).versions.get(versionId)!.value = secretString;
  }

  /** Version id -> stages, including unlabelled versions (unlike describe). */
  stages(secretId: string): Record<string, string[]> {
    const secret = this.#secret(secretId);
    return Object.fromEntries([...secret.versions].map(([id, v]) => [id, [...v.stages].sort()]));
  }

  /** The version holding a stage. */
  versionWith(secretId: string, stage: string): string | undefined {
    return this.#holder(this.#secret(secretId), stage);
  }

  /** The value staged `stage`, for test assertions only. */
  valueAt(secretId: string, stage: string): string | undefined {
    const secret = this.#secret(secretId);
    const id = this.#holder(secret, stage);
    return id === undefined ? undefined : secret.versions.get(id)!.value;
  }

  setRotationEnabled(secretId: string, enabled: boolean | undefined): void {
    const secret = this.#secret(secretId);
    if (enabled === undefined) delete secret.rotationEnabled;
    else secret.rotationEnabled = enabled;
  }

  /** Adds a fault; returns a function that removes it. */
  inject(fault: StoreFault): () => void {
    const copy = { ...fault };
    this.#faults.push(copy);
    return () => {
      const index = this.#faults.indexOf(copy);
      if (index >= 0) this.#faults.splice(index, 1);
    };
  }

  /** Throttles the next `times` calls of the operations (all when omitted). */
  throttle(times: number, operations?: readonly StoreOperation[]): () => void {
    return this.inject({ times, ...(operations === undefined ? {} : { operations }) });
  }

  async describe(secretId: string): Promise<SecretDescription> {
    this.#enter('describe', secretId);
    const secret = this.#secret(secretId);
    const versionIdsToStages: Record<string, string[]> = {};
    for (const [id, version] of secret.versions)
      if (version.stages.size > 0) versionIdsToStages[id] = [...version.stages];
    return {
      arn: secret.arn,
      name: secret.name,
      versionIdsToStages,
      tags: { ...secret.tags },
      ...(secret.rotationEnabled === undefined ? {} : { rotationEnabled: secret.rotationEnabled }),
    };
  }

  async getValue(secretId: string, selector: VersionSelector): Promise<SecretVersion | undefined> {
    this.#enter('getValue', secretId);
    const secret = this.#secret(secretId);
    const versionId = selector.versionId ?? this.#holder(secret, selector.stage ?? AWSCURRENT);
    if (versionId === undefined) return undefined;
    const version = secret.versions.get(versionId);
    if (version === undefined || version.value === undefined) return undefined;
    if (selector.stage !== undefined && !version.stages.has(selector.stage)) return undefined;
    return { versionId, secretString: Sensitive.of(version.value), stages: [...version.stages] };
  }

  async putValue(
    secretId: string,
    put: { token: string; secretString: Sensitive<string>; stages: readonly string[] },
  ): Promise<void> {
    this.#enter('putValue', secretId);
    const secret = this.#secret(secretId);
    const value = put.secretString.reveal();
    const existing = secret.versions.get(put.token);
    if (existing?.value !== undefined) {
      if (existing.value === value) return;
      throw new VersionExistsError('the version already exists with a different value', {
        secretId,
        versionId: put.token,
        check: 'version-unique',
      });
    }
    if (existing === undefined)
      secret.versions.set(put.token, { value, stages: new Set(), created: this.#clock++ });
    else existing.value = value;
    for (const stage of put.stages.length === 0 ? [AWSCURRENT] : put.stages)
      this.#attach(secret, stage, put.token);
  }

  async updateVersionStage(
    secretId: string,
    update: { stage: string; moveToVersionId?: string; removeFromVersionId?: string },
  ): Promise<void> {
    this.#enter('updateVersionStage', secretId);
    const secret = this.#secret(secretId);
    const holder = this.#holder(secret, update.stage);
    const refuse = (reason: string) =>
      new SecretStoreRequestError(reason, { secretId, check: 'update-version-stage' });
    if (update.removeFromVersionId !== undefined && holder !== update.removeFromVersionId) {
      throw refuse(`${update.stage} is not attached to the version named in RemoveFromVersionId`);
    }
    if (update.moveToVersionId === undefined) {
      if (update.removeFromVersionId === undefined)
        throw refuse('neither MoveToVersionId nor RemoveFromVersionId');
      if (update.stage === AWSCURRENT) throw refuse('AWSCURRENT can only be moved, not removed');
      secret.versions.get(holder!)!.stages.delete(update.stage);
      return;
    }
    if (!secret.versions.has(update.moveToVersionId))
      throw refuse('MoveToVersionId is not a version of the secret');
    if (
      holder !== undefined &&
      holder !== update.moveToVersionId &&
      update.removeFromVersionId === undefined
    ) {
      throw refuse(`${update.stage} is attached to another version; RemoveFromVersionId must name it`);
    }
    this.#attach(secret, update.stage, update.moveToVersionId);
  }

  async getRandomPassword(request: RandomPasswordRequest): Promise<Sensitive<string>> {
    this.#enter('getRandomPassword', '*');
    const keep = (chars: string) => [...chars].filter((c) => !request.excludeCharacters.includes(c)).join('');
    const classes = [
      request.excludeLowercase ? '' : keep(CLASSES.lower),
      request.excludeUppercase ? '' : keep(CLASSES.upper),
      request.excludeNumbers ? '' : keep(CLASSES.digits),
      request.excludePunctuation ? '' : keep(CLASSES.punctuation),
      request.includeSpace ? keep(' ') : '',
    ].filter((c) => c.length > 0);
    const all = classes.join('');
    const chars = Array.from({ length: request.length }, () => all[randomInt(all.length)]!);
    if (request.requireEachIncludedType) {
      // One character of each class at distinct random positions.
      const positions = new Set<number>();
      while (positions.size < classes.length) positions.add(randomInt(request.length));
      [...positions].forEach(
        (position, i) => (chars[position] = classes[i]![randomInt(classes[i]!.length)]!),
      );
    }
    return Sensitive.of(chars.join(''));
  }

  #attach(secret: MemorySecret, stage: string, versionId: string): void {
    const holder = this.#holder(secret, stage);
    if (holder === versionId) return;
    if (holder !== undefined) secret.versions.get(holder)!.stages.delete(stage);
    secret.versions.get(versionId)!.stages.add(stage);
    if (stage === AWSCURRENT && holder !== undefined) this.#attach(secret, AWSPREVIOUS, holder);
  }

  #holder(secret: MemorySecret, stage: string): string | undefined {
    for (const [id, version] of secret.versions) if (version.stages.has(stage)) return id;
    return undefined;
  }

  #secret(secretId: string): MemorySecret {
    const secret = this.#secrets.get(secretId) ?? [...this.#secrets.values()].find((s) => s.arn === secretId);
    if (secret === undefined) {
      throw new SecretStoreRequestError('Secrets Manager cannot find the secret', {
        secretId,
        check: 'secret-exists',
      });
    }
    return secret;
  }

  #enter(operation: StoreOperation, secretId: string): void {
    this.calls.push({ operation, secretId });
    for (const fault of this.#faults) {
      if (fault.operations !== undefined && !fault.operations.includes(operation)) continue;
      if ((fault.skip ?? 0) > 0) {
        fault.skip! -= 1;
        continue;
      }
      if (fault.times !== undefined) {
        if (fault.times <= 0) continue;
        fault.times -= 1;
      }
      throw (
        fault.error?.(operation, secretId) ??
        new SecretStoreUnavailableError(`Secrets Manager throttled ${operation}`, {
          secretId,
          check: 'throttling',
        })
      );
    }
  }
}
