import { RotorError } from '../../errors';

/** The detector was given rules or options it cannot use (duplicate ids, a g or y flag, a bad window size). */
export class InvalidDetectorConfigError extends RotorError {}
