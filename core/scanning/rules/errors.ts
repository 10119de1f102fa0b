import { RotorError } from '../../errors';

/** A user-supplied rule file is malformed: names the rule and the field, never a sample's text. */
export class InvalidRuleError extends RotorError {}
