import { RotorError } from '../../errors';

/** The workflow's input is not a scan request (not an ECR push, a bad digest). Not retried. */
export class InvalidScanRequestError extends RotorError {}

/** Merge found no stored result for a layer that Resolve or ScanLayer should have stored. */
export class LayerResultMissingError extends RotorError {}
