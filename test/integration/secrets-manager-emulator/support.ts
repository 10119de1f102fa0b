import { randomBytes } from 'node:crypto';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Clock } from '../../../core/clock';
import {
  startSecretsManagerEmulator,
  type SecretsManagerEmulator,
  type SecretsManagerEmulatorOptions,
} from '../../../local/secrets-manager';

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  #ms: number;

  constructor(start = Date.UTC(2026, 0, 15, 10, 30, 0)) {
    this.#ms = start;
  }

  now(): Date {
    return new Date(this.#ms);
  }

  advance(ms: number): void {
    this.#ms += ms;
  }
}

export const DAY_MS = 86_400_000;

/** A running emulator and an SDK client pointed at it. */
export interface Harness {
  readonly emulator: SecretsManagerEmulator;
  readonly client: SecretsManagerClient;
  /** Another client with its own options (e.g. `maxAttempts: 1`). */
  clientWith(options: { maxAttempts?: number }): SecretsManagerClient;
  close(): Promise<void>;
}

/** Starts an emulator on a free port with a client that uses dummy credentials. */
export async function startHarness(options: SecretsManagerEmulatorOptions = {}): Promise<Harness> {
  const emulator = await startSecretsManagerEmulator(options);
  const clients: SecretsManagerClient[] = [];
  const clientWith = (extra: { maxAttempts?: number }): SecretsManagerClient => {
    const client = new SecretsManagerClient({
      endpoint: emulator.endpoint,
      region: emulator.region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      ...extra,
    });
    clients.push(client);
    return client;
  };
  const client = clientWith({});
  return {
    emulator,
    client,
    clientWith,
    close: async () => {
      await emulator.rotations.settled();
      for (const c of clients) c.destroy();
      await emulator.close();
    },
  };
}

/** A value generated at test time, so no fixture holds a literal secret. */
export function testValue(label = 'value'): string {
  return `${label}-${randomBytes(12).toString('hex')}`;
}

/** A unique secret name for one test. */
let counter = 0;
export function uniqueName(prefix = 'test/secret'): string {
  counter++;
  return `${prefix}-${counter}-${randomBytes(3).toString('hex')}`;
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<Error & { name: string; $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { name: string };
  }
  throw new Error('expected the call to fail, and it succeeded');
}
