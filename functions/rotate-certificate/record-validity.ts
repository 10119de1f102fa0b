import { AWSCURRENT, type SecretStore } from '../../core/rotation/ports';
import { certificateValidityTags } from '../../core/rotation/certificate/validity-tags';

/** What recording a certificate's validity needs. */
export interface RecordValidityDeps {
  readonly store: Pick<SecretStore, 'getValue'>;
  readonly tag: (secretId: string, tags: Record<string, string>) => Promise<void>;
  readonly warn: (message: string, fields: Record<string, string>) => void;
}

/**
 * After finishSecret: tags the secret with the validity of its AWSCURRENT certificate, which the sweep
 * renews by. A failure is logged and swallowed: the rotation itself succeeded, and stale or missing tags
 * only make the sweep renew early (missing tags: at once), never late. Returns whether the tags were written.
 */
export async function recordCertificateValidity(
  secretId: string,
  deps: RecordValidityDeps,
): Promise<boolean> {
  try {
    const current = await deps.store.getValue(secretId, { stage: AWSCURRENT });
    const tags = current ? certificateValidityTags(current.secretString, secretId) : undefined;
    if (!tags) return false;
    await deps.tag(secretId, tags);
    return true;
  } catch (error) {
    deps.warn('could not tag the certificate validity; the sweep will renew early', {
      errorName: (error as Error).name,
    });
    return false;
  }
}
