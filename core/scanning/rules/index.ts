/** Rules as data: the built-in catalog, the Rule row, and the parser for user-supplied rule files. */
export { BUILTIN_RULES } from './builtin';
export { RULE_KINDS, priorityOf, type Rule, type RuleKind, type SecretCheck } from './rule';
export { parseUserRules, toRule, UserRuleSchema, UserRuleFileSchema, type UserRule } from './schema';
export { InvalidRuleError } from './errors';
export { shannonEntropy } from './entropy';
export { crc32, base62, hasBase62Crc32Checksum, withBase62Crc32Checksum } from './checksums';
export { isPlaceholderValue, isObviousPlaceholder } from './placeholders';
