import { validationError } from './errors';

/** A ListSecrets filter as the API takes it. */
export interface ListFilter {
  readonly Key: string;
  readonly Values: readonly string[];
}

/** The attributes of a secret that ListSecrets filters look at (no values, only metadata). */
export interface FilterableSecret {
  readonly name: string;
  readonly description?: string;
  readonly tags: readonly { readonly Key: string; readonly Value: string }[];
  readonly primaryRegion?: string;
}

const FILTER_KEYS = [
  'description',
  'name',
  'tag-key',
  'tag-value',
  'primary-region',
  'owning-service',
  'all',
];
const VALUE_PATTERN = /^!?[a-zA-Z0-9 :_@/+=.\-!]*$/;

/**
 * Checks the filters against the API model (known keys, 1 to 10 values of at most 512 characters matching
 * the documented pattern); a breach is a `ValidationException`, as for any model constraint.
 */
export function validateFilters(filters: readonly ListFilter[]): void {
  for (const filter of filters) {
    if (!FILTER_KEYS.includes(filter.Key)) {
      throw validationError(
        'filters.member.key',
        `Member must satisfy enum value set: [${FILTER_KEYS.join(', ')}]`,
      );
    }
    if (filter.Values.length < 1 || filter.Values.length > 10) {
      throw validationError('filters.member.values', 'Member must have length between 1 and 10');
    }
    for (const value of filter.Values) {
      if (value.length > 512 || !VALUE_PATTERN.test(value)) {
        throw validationError(
          'filters.member.values.member',
          `Member must satisfy regular expression pattern: ${VALUE_PATTERN.source}`,
        );
      }
    }
  }
}

/**
 * Whether a secret passes every filter (filters are ANDed). Within one filter a secret passes when it
 * matches any positive value (ORed) and none of the negated (`!`) values; a filter of negated values only
 * passes every secret that matches none of them. Matching follows the API reference: `name`, `tag-key`,
 * `tag-value`, `primary-region`: case-sensitive prefix; `description`: case-insensitive prefix; `all`:
 * the value is split into words and the secret matches when any of them prefixes, case-insensitively, a
 * word of the name, description, a tag key or a tag value (the user guide: "searching for My_Secret matches
 * secrets with the word my or secret in the name, description, or tags").
 */
export function matchesFilters(secret: FilterableSecret, filters: readonly ListFilter[]): boolean {
  return filters.every((filter) => matchesFilter(secret, filter));
}

function matchesFilter(secret: FilterableSecret, filter: ListFilter): boolean {
  const positive = filter.Values.filter((v) => !v.startsWith('!'));
  const negated = filter.Values.filter((v) => v.startsWith('!')).map((v) => v.slice(1));
  const matches = (value: string): boolean => matchValue(secret, filter.Key, value);
  if (negated.some(matches)) return false;
  return positive.length === 0 || positive.some(matches);
}

function matchValue(secret: FilterableSecret, key: string, value: string): boolean {
  switch (key) {
    case 'name':
      return secret.name.startsWith(value);
    case 'description':
      return (
        secret.description !== undefined && secret.description.toLowerCase().startsWith(value.toLowerCase())
      );
    case 'tag-key':
      return secret.tags.some((tag) => tag.Key.startsWith(value));
    case 'tag-value':
      return secret.tags.some((tag) => tag.Value.startsWith(value));
    case 'primary-region':
      return secret.primaryRegion !== undefined && secret.primaryRegion.startsWith(value);
    case 'owning-service':
      // No secret here is managed by another service.
      return false;
    default:
      return matchesAllWords(secret, value);
  }
}

function matchesAllWords(secret: FilterableSecret, value: string): boolean {
  const wanted = words(value);
  if (wanted.length === 0) return false;
  const attributes = [secret.name, secret.description ?? '', ...secret.tags.flatMap((t) => [t.Key, t.Value])];
  const available = attributes.flatMap(words);
  return wanted.some((word) => available.some((candidate) => candidate.startsWith(word)));
}

/**
 * Splits text into lower-cased words the way the user guide describes the search: at any character that is
 * not a letter or digit, at a change from lower to upper case, and between letters and digits.
 */
export function words(text: string): string[] {
  const parts = text.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? [];
  return parts.map((part) => part.toLowerCase());
}
