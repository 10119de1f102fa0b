import { createHash } from 'node:crypto';
import type { Clock } from '../../clock';
import type {
  SkippedField,
  UpdateFingerprintsInput,
  UpdateFingerprintsOutput,
} from '../../contracts/managed';
import { ROTATION_TAGS } from '../../contracts/rotation';
import type { SecretStore } from '../../rotation/ports';
import { InvalidManagedRecordError } from './errors';
import type { ScanKeys } from './keys';
import type { ManagedFingerprintStore, StoredRecord, StoredStage } from './ports';
import { fingerprintManagedValue, type ManagedStage } from './record';
import { fingerprintableValues, type SecretValueOptions } from './secret-values';

/** The stages whose values are fingerprinted. */
export const MANAGED_STAGES: readonly ManagedStage[] = ['AWSCURRENT', 'AWSPREVIOUS'];

/** What updateFingerprints needs. */
export interface UpdateFingerprintsDeps {
  /** DescribeSecret and GetSecretValue (adapters/secrets-store.ts). */
  readonly secrets: Pick<SecretStore, 'describe' | 'getValue'>;
  readonly store: ManagedFingerprintStore;
  readonly keys: () => Promise<ScanKeys>;
  readonly clock: Clock;
  readonly options?: SecretValueOptions;
}

/** The outcome, with whether anything was written (the set's version was bumped). */
export interface UpdateFingerprintsResult extends UpdateFingerprintsOutput {
  readonly changed: boolean;
  /** The set's version after the update, when it changed. */
  readonly version?: number;
}

/**
 * Makes the stored records of a secret match its AWSCURRENT and AWSPREVIOUS versions. Idempotent and cheap
 * when nothing changed: one DescribeSecret and one read of the stored stages; a stage is read from Secrets
 * Manager and rewritten only when its version, the key or the extraction recipe differ from what is stored.
 * A stage that no longer exists is deleted. The set's version is bumped once after the writes, so a reader
 * that sees the new version also sees the records.
 */
export async function updateFingerprints(
  input: UpdateFingerprintsInput,
  deps: UpdateFingerprintsDeps,
): Promise<UpdateFingerprintsResult> {
  const keys = await deps.keys();
  const recipe = recipeOf(deps.options ?? {});
  const secret = await deps.secrets.describe(input.secretId);
  const name = secret.name;
  const existing = new Map((await deps.store.stagesOf(name)).map((s) => [s.stage, s]));
  const now = deps.clock.now().toISOString();
  const result: StoredStage[] = [];
  const skipped: SkippedField[] = [];
  let changed = false;

  for (const stage of MANAGED_STAGES) {
    const versionId = Object.entries(secret.versionIdsToStages).find(([, s]) => s.includes(stage))?.[0];
    const stored = existing.get(stage);
    if (versionId === undefined) {
      if (stored) {
        await deps.store.deleteStage(name, stage);
        changed = true;
      }
      continue;
    }
    if (stored && stored.versionId === versionId && stored.keyId === keys.keyId && stored.recipe === recipe) {
      result.push(stored);
      continue;
    }
    const version = await deps.secrets.getValue(name, { versionId });
    if (version === undefined) {
      // Deleted between DescribeSecret and GetSecretValue (a rotation finishing): the next update sees it.
      skipped.push({ field: '(secret)', stage, reason: 'the version disappeared while it was read' });
      if (stored) result.push(stored);
      continue;
    }
    const found = fingerprintableValues(version.secretString, secret.tags[ROTATION_TAGS.kind], deps.options);
    const records: StoredRecord[] = [];
    const stageSkipped = [...found.skipped];
    for (const value of found.values) {
      try {
        const record = fingerprintManagedValue(
          keys.managed.reveal(),
          name,
          stage,
          value.value.reveal(),
          value.alphabet,
        );
        records.push({
          field: value.field,
          hmac: record.hmac,
          length: record.length,
          alphabet: record.alphabet,
        });
      } catch (error) {
        if (!(error instanceof InvalidManagedRecordError)) throw error;
        stageSkipped.push({ field: value.field, reason: error.message.replace(/^value of .* \(\w+\) /, '') });
      }
    }
    const next: StoredStage = {
      secretId: name,
      stage,
      versionId,
      keyId: keys.keyId,
      recipe,
      records,
      skipped: stageSkipped,
      updatedAt: now,
    };
    await deps.store.putStage(next);
    if (!stored || !sameRecords(stored, next)) changed = true;
    result.push(next);
  }

  for (const stage of result) skipped.push(...stage.skipped.map((s) => ({ ...s, stage: stage.stage })));
  const version = changed ? await deps.store.bumpVersion() : undefined;
  return {
    secretId: name,
    records: result.reduce((n, s) => n + s.records.length, 0),
    skipped: dedupe(skipped),
    changed,
    ...(version === undefined ? {} : { version }),
  };
}

/** Names the extraction rules and the settings they used: a change makes every stage be redone once. */
export function recipeOf(options: SecretValueOptions): string {
  const settings = JSON.stringify(
    options.passwordPolicy ?? {},
    Object.keys(options.passwordPolicy ?? {}).sort(),
  );
  return `values-v1-${createHash('sha256').update(settings).digest('hex').slice(0, 12)}`;
}

function sameRecords(a: StoredStage, b: StoredStage): boolean {
  const key = (s: StoredStage) =>
    s.keyId +
    s.records
      .map((r) => `${r.hmac}:${r.length}:${r.alphabet}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

function dedupe(skipped: SkippedField[]): SkippedField[] {
  const seen = new Set<string>();
  return skipped.filter((s) => {
    const k = `${s.stage}\0${s.field}\0${s.reason}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
