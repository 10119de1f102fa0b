import { Logger } from '@aws-lambda-powertools/logger';

/** Keys whose values are never logged, whatever reaches the logger: the second net behind Sensitive<T>. */
const SECRET_KEY =
  /pass(word|wd)?|secret|private_?key|api_?key|token|credential|SecretString|SecretBinary|authorization/i;

/** A JSON replacer that redacts values under secret-looking keys, at any depth. */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key && SECRET_KEY.test(key) && value !== null && value !== undefined && typeof value !== 'boolean') {
    return '[redacted]';
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** The Powertools logger every Rotor function uses: JSON, redacting, never logging the event. */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName, jsonReplacerFn: redactingReplacer });
}
