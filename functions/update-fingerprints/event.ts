import { z } from 'zod';
import { InvalidFingerprintRequestError } from '../../core/scanning/managed/errors';

const Schema = z.object({ secretId: z.string().min(1).max(2048) });

/** The writer's input as the rotation workflow sends it, `{ "secretId": "<name or ARN>" }`; other fields are ignored. */
export function parseUpdateFingerprintsEvent(event: unknown): { secretId: string } {
  const parsed = Schema.safeParse(event);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => i.path.join('.') || '(root)').join(', ');
    throw new InvalidFingerprintRequestError(`the event must be { "secretId": string } (${fields})`, {
      context: { fields },
    });
  }
  return { secretId: parsed.data.secretId };
}
