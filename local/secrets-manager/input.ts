import { Sensitive } from '../../core/sensitive';
import { invalidParameter, serializationError, validationError } from './errors';
import type { SecretValue, Tag } from './store';

/**
 * Reading request members with the API model's constraints: a wrong JSON type is a
 * `SerializationException`, a missing required member or a breached length or range a
 * `ValidationException`, as the service answers. Messages name the member, never its value.
 */
export type Input = Readonly<Record<string, unknown>>;

interface Length {
  readonly min?: number;
  readonly max?: number;
}

/** An optional string member within the given length. */
export function optionalString(input: Input, member: string, length: Length = {}): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw serializationError(member, 'a string');
  checkLength(member, value.length, length);
  return value;
}

/** A required string member within the given length. */
export function requiredString(input: Input, member: string, length: Length = {}): string {
  const value = optionalString(input, member, length);
  if (value === undefined) throw validationError(member, 'Member must not be null');
  return value;
}

/** An optional integer member within the given range. */
export function optionalInteger(input: Input, member: string, range: Length = {}): number | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw serializationError(member, 'an integer');
  if (range.min !== undefined && value < range.min) {
    throw validationError(member, `Member must have value greater than or equal to ${range.min}`);
  }
  if (range.max !== undefined && value > range.max) {
    throw validationError(member, `Member must have value less than or equal to ${range.max}`);
  }
  return value;
}

/** An optional boolean member. */
export function optionalBoolean(input: Input, member: string): boolean | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw serializationError(member, 'a boolean');
  return value;
}

/** An optional list of strings, with limits on the list and on each item. */
export function optionalStringList(
  input: Input,
  member: string,
  items: Length = {},
  each: Length = {},
): string[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw serializationError(member, 'a list of strings');
  checkLength(member, value.length, items);
  for (const item of value as string[]) checkLength(`${member}.member`, item.length, each);
  return value as string[];
}

/** One of the allowed values, or undefined. */
export function optionalEnum<T extends string>(
  input: Input,
  member: string,
  allowed: readonly T[],
): T | undefined {
  const value = optionalString(input, member);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw validationError(member, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return value as T;
}

/** An optional structure member (a JSON object). */
export function optionalObject(input: Input, member: string): Input | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw serializationError(member, 'a structure');
  return value as Input;
}

/** An optional list of structures. */
export function optionalObjectList(input: Input, member: string, items: Length = {}): Input[] | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'object' || v === null || Array.isArray(v))) {
    throw serializationError(member, 'a list of structures');
  }
  checkLength(member, value.length, items);
  return value as Input[];
}

/** Tags: keys of 1 to 128 characters, values of up to 256. */
export function optionalTags(input: Input, member = 'Tags'): Tag[] | undefined {
  return optionalObjectList(input, member)?.map((tag) => ({
    Key: requiredString(tag, 'Key', { min: 1, max: 128 }),
    Value: optionalString(tag, 'Value', { max: 256 }) ?? '',
  }));
}

/**
 * SecretString or SecretBinary (base64 on the wire), at most 65,536 characters or bytes; both at once is
 * an `InvalidParameterException`. The value comes back wrapped so it cannot be printed by accident.
 */
export function optionalSecretValue(input: Input): Sensitive<SecretValue> | undefined {
  const text = optionalString(input, 'SecretString', { max: 65_536 });
  const base64 = optionalString(input, 'SecretBinary');
  if (text !== undefined && base64 !== undefined) {
    throw invalidParameter(
      "You can't specify both a binary secret value and a string secret value in the same secret.",
    );
  }
  if (text !== undefined) return Sensitive.of({ kind: 'string', text });
  if (base64 === undefined) return undefined;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) throw serializationError('SecretBinary', 'base64-encoded');
  const bytes = Buffer.from(base64, 'base64');
  checkLength('SecretBinary', bytes.length, { max: 65_536 });
  return Sensitive.of({ kind: 'binary', bytes });
}

function checkLength(member: string, length: number, limits: Length): void {
  if (limits.min !== undefined && length < limits.min) {
    throw validationError(member, `Member must have length greater than or equal to ${limits.min}`);
  }
  if (limits.max !== undefined && length > limits.max) {
    throw validationError(member, `Member must have length less than or equal to ${limits.max}`);
  }
}
