import { RotorError } from '../../errors';

/** A managed-secret record or value cannot be indexed (names the secret and the field, never the value). */
export class InvalidManagedRecordError extends RotorError {}
