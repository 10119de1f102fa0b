import { inspect } from 'node:util';
import { Sensitive } from '../../../core/sensitive';
import { RotorError, TransientError } from '../../../core/errors';

describe('Sensitive', () => {
  const value = `pw-${Math.random().toString(36).slice(2)}`;
  const secret = Sensitive.of(value);

  it('reveals the value only through reveal()', () => {
    expect(secret.reveal()).toBe(value);
  });

  it('never shows the value when printed, serialized or inspected', () => {
    const shown = [
      String(secret),
      `${secret}`,
      JSON.stringify({ secret }),
      inspect({ secret }),
      inspect(secret, { showHidden: true }),
    ];
    for (const text of shown) {
      expect(text).not.toContain(value);
      expect(text).toContain('[redacted]');
    }
  });
});

describe('RotorError', () => {
  class SampleError extends RotorError {}

  it('names itself after its class, keeps its cause and safe context', () => {
    const cause = new Error('socket closed');
    const error = new SampleError('setSecret failed for orders-db', {
      cause,
      context: { secretId: 'orders-db' },
    });
    expect(error.name).toBe('SampleError');
    expect(error.cause).toBe(cause);
    expect(error.context).toEqual({ secretId: 'orders-db' });
    expect(error.retryable).toBe(false);
  });

  it('marks transient errors as retryable', () => {
    expect(new TransientError('throttled').retryable).toBe(true);
  });
});
