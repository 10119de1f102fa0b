import { AwsServiceError } from '../aws-json-server';
import type { StoredKey } from './key-store';

/** One denial: an operation, on one key or on every key. */
interface DenialRule {
  readonly operation: string;
  readonly keyArn?: string;
}

/**
 * Denials that stand in for IAM and key policies: `deny('Sign', keyId)` makes Sign on that key answer
 * AccessDeniedException with the message shape AWS uses, until the returned function is called.
 */
export class Denials {
  readonly #rules: DenialRule[] = [];

  add(rule: DenialRule): () => void {
    const copy = { ...rule };
    this.#rules.push(copy);
    return () => {
      const index = this.#rules.indexOf(copy);
      if (index >= 0) this.#rules.splice(index, 1);
    };
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** Throws AccessDeniedException when a rule matches this call. */
  check(operation: string, accountId: string, key?: StoredKey): void {
    const hit = this.#rules.find(
      (rule) => rule.operation === operation && (rule.keyArn === undefined || rule.keyArn === key?.arn),
    );
    if (!hit) return;
    const resource = key ? key.arn : '*';
    throw new AwsServiceError(
      'AccessDeniedException',
      `User: arn:aws:iam::${accountId}:user/rotor-local is not authorized to perform: kms:${operation} ` +
        `on resource: ${resource} because no identity-based policy allows the kms:${operation} action`,
    );
  }
}
