import { AuditWriter } from '../../../core/audit/writer';
import { verifyChain } from '../../../core/audit/verify';
import { LockHeldError, type LockStore } from '../../../core/workflow/lock';
import { beginRotation, endRotation, NotManagedError } from '../../../core/workflow/control';
import { MemoryChainStore } from '../../support/memory-chain-store';
import type { SecretStore } from '../../../core/rotation/ports';

/** Locks with DynamoDB's semantics: free, expired or ours. */
class MemoryLocks implements LockStore {
  readonly held = new Map<string, { owner: string; expiresAt: number }>();
  async tryAcquire(key: string, owner: string, expiresAt: number, now: number) {
    const lock = this.held.get(key);
    if (lock && lock.owner !== owner && lock.expiresAt >= now) return false;
    this.held.set(key, { owner, expiresAt });
    return true;
  }
  async release(key: string, owner: string) {
    if (this.held.get(key)?.owner === owner) this.held.delete(key);
  }
}

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/orders-db-AbCdEf';
const store = (rotationLambdaArn?: string, strategy = 'single-user') =>
  ({
    describe: async () => ({
      arn: ARN,
      name: 'prod/orders-db',
      versionIdsToStages: {},
      tags: { 'rotor:kind': 'postgres', 'rotor:strategy': strategy },
      ...(rotationLambdaArn ? { rotationLambdaArn } : {}),
    }),
  }) as unknown as SecretStore;
const clock = { now: () => new Date('2026-11-24T08:00:00Z') };

function deps(attached = true, strategy?: string) {
  const chains = new MemoryChainStore();
  return {
    store: store(attached ? 'arn:aws:lambda:eu-west-1:123456789012:function:rotate' : undefined, strategy),
    locks: new MemoryLocks(),
    audit: new AuditWriter({ store: chains }),
    clock,
    lockTtlSeconds: 3600,
    chains,
  };
}

describe('beginRotation', () => {
  it('finds the rotation function, takes the lock for the execution and mints a token', async () => {
    const d = deps();
    const began = await beginRotation({ input: { secretId: 'prod/orders-db' }, executionId: 'exec-1' }, d);
    expect(began).toMatchObject({
      secretArn: ARN,
      secretName: 'prod/orders-db',
      kind: 'postgres',
      rotationFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:rotate',
    });
    expect(began.token).toMatch(/^[0-9a-f-]{36}$/);
    expect(d.locks.held.get(`ROTATION#${ARN}`)).toEqual({
      owner: 'exec-1',
      expiresAt: Date.parse('2026-11-24T09:00:00Z') / 1000,
    });
  });

  it('takes the lock again for the same execution (a retried state), not for another', async () => {
    const d = deps();
    await beginRotation({ input: { secretId: ARN }, executionId: 'exec-1' }, d);
    await expect(
      beginRotation({ input: { secretId: ARN }, executionId: 'exec-1' }, d),
    ).resolves.toBeDefined();
    await expect(
      beginRotation({ input: { secretId: ARN }, executionId: 'exec-2' }, d),
    ).rejects.toBeInstanceOf(LockHeldError);
  });

  it('takes an expired lock', async () => {
    const d = deps();
    d.locks.held.set(`ROTATION#${ARN}`, {
      owner: 'crashed',
      expiresAt: Date.parse('2026-11-24T07:00:00Z') / 1000,
    });
    await expect(
      beginRotation({ input: { secretId: ARN }, executionId: 'exec-3' }, d),
    ).resolves.toBeDefined();
  });

  it('defaults the reason to manual and revokes after the grace period outside remediation', async () => {
    const began = await beginRotation({ input: { secretId: ARN }, executionId: 'exec-1' }, deps());
    expect(began).toMatchObject({
      reason: 'manual',
      revokeTrigger: 'consumers-moved',
      rotateAgain: false,
      findingFingerprint: null,
    });
  });

  it('rotates twice when remediating a leaked AWSCURRENT under alternating users, once otherwise', async () => {
    const leak = (leakedStage: string, strategy: string, followUp?: boolean) =>
      beginRotation(
        {
          input: {
            secretId: ARN,
            reason: 'remediation',
            findingFingerprint: 'f'.repeat(64),
            leakedStage,
            ...(followUp ? { followUp } : {}),
          },
          executionId: `exec-${leakedStage}-${strategy}-${followUp}`,
        },
        deps(true, strategy),
      );
    const first = await leak('AWSCURRENT', 'alternating-users');
    expect(first).toMatchObject({
      reason: 'remediation',
      revokeTrigger: 'remediation',
      rotateAgain: true,
      findingFingerprint: 'f'.repeat(64),
    });
    expect((await leak('AWSCURRENT', 'alternating-users', true)).rotateAgain).toBe(false);
    expect((await leak('AWSPREVIOUS', 'single-user')).revokeTrigger).toBe('remediation');
    expect((await leak('AWSPREVIOUS', 'alternating-users')).rotateAgain).toBe(false);
    expect((await leak('AWSCURRENT', 'single-user')).rotateAgain).toBe(false);
  });

  it('records in the secret’s chain that a finding started this rotation, not again for the second round', async () => {
    const d = deps();
    const input = {
      secretId: ARN,
      reason: 'remediation',
      findingFingerprint: 'a'.repeat(64),
      leakedStage: 'AWSCURRENT',
    };
    await beginRotation({ input, executionId: 'exec-9' }, d);
    await beginRotation({ input: { ...input, followUp: true }, executionId: 'exec-9' }, d);
    const records = d.chains.chains.get('SECRET#prod/orders-db')!;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      type: 'remediation',
      details: { action: 'rotation-started', findingFingerprint: 'a'.repeat(64), executionId: 'exec-9' },
    });
  });

  it('refuses an input without a secret id', async () => {
    await expect(
      beginRotation({ input: { reason: 'manual' }, executionId: 'exec-1' }, deps()),
    ).rejects.toThrow(/needs secretId/);
  });

  it('refuses a secret with no rotation function attached', async () => {
    await expect(
      beginRotation({ input: { secretId: ARN }, executionId: 'exec-1' }, deps(false)),
    ).rejects.toBeInstanceOf(NotManagedError);
  });
});

describe('endRotation', () => {
  it('audits a rotation, links a remediation to its finding, and releases the lock', async () => {
    const d = deps();
    const began = await beginRotation({ input: { secretId: ARN }, executionId: 'exec-1' }, d);
    const ended = await endRotation(
      {
        secretId: ARN,
        executionId: 'exec-1',
        reason: 'remediation',
        result: 'rotated',
        began,
        findingFingerprint: 'f'.repeat(64),
      },
      d,
    );
    expect(ended.result).toBe('rotated');
    expect(d.locks.held.size).toBe(0);
    const [record] = d.chains.chains.get('SECRET#prod/orders-db')!;
    expect(record).toMatchObject({
      type: 'rotation.outcome',
      outcome: 'success',
      versions: { to: began.token },
      details: {
        result: 'rotated',
        reason: 'remediation',
        findingFingerprint: 'f'.repeat(64),
        executionId: 'exec-1',
      },
    });
    expect(
      (await verifyChain('SECRET#prod/orders-db', d.chains.records('SECRET#prod/orders-db'))).broken,
    ).toBeUndefined();
  });

  it('records a rollback with the error class and a scrubbed message, and summarises it for people', async () => {
    const d = deps();
    const began = await beginRotation({ input: { secretId: ARN }, executionId: 'exec-1' }, d);
    const leaked = 'Zx9'.repeat(10);
    const ended = await endRotation(
      {
        secretId: ARN,
        executionId: 'exec-1',
        reason: 'schedule',
        result: 'rolled-back',
        began,
        error: {
          Error: 'DatabaseUnreachableError',
          Cause: JSON.stringify({
            errorType: 'DatabaseUnreachableError',
            errorMessage: `setSecret: connect failed password=${leaked}`,
          }),
        },
      },
      d,
    );
    expect(ended.summary).toContain('rolled back; AWSCURRENT is unchanged');
    expect(ended.summary).toContain('DatabaseUnreachableError');
    const [record] = d.chains.chains.get('SECRET#prod/orders-db')!;
    expect(record.details).toMatchObject({
      result: 'rolled-back',
      error: { name: 'DatabaseUnreachableError' },
    });
    expect(JSON.stringify(record)).not.toContain(leaked);
    expect(d.locks.held.size).toBe(0);
  });

  it('records consumers that did not move and tells people the previous credential still works', async () => {
    const d = deps();
    const began = await beginRotation({ input: { secretId: ARN }, executionId: 'exec-1' }, d);
    const ended = await endRotation(
      {
        secretId: ARN,
        executionId: 'exec-1',
        reason: 'schedule',
        result: 'consumers-failed',
        began,
        consumers: { moved: ['orders-web'], failed: [{ service: 'orders-worker' }] },
      },
      d,
    );
    expect(ended.summary).toContain('orders-worker did not roll out');
    expect(ended.summary).toContain('NOT revoked');
    const [record] = d.chains.chains.get('SECRET#prod/orders-db')!;
    expect(record).toMatchObject({
      outcome: 'failure',
      details: { result: 'consumers-failed', consumersRefreshed: ['orders-web'] },
    });
  });

  it('tags when AWSCURRENT moved (the sweep counts from it), and not for a roll-back', async () => {
    const tagged: Array<[string, Record<string, string>]> = [];
    const d = {
      ...deps(),
      tagSecret: async (arn: string, tags: Record<string, string>) => void tagged.push([arn, tags]),
    };
    for (const result of ['rotated', 'rolled-back', 'consumers-failed'] as const) {
      const began = await beginRotation({ input: { secretId: ARN }, executionId: `exec-${result}` }, d);
      await endRotation(
        { secretId: ARN, executionId: `exec-${result}`, reason: 'schedule', result, began },
        d,
      );
    }
    expect(tagged).toEqual([
      [ARN, { 'rotor:rotated-at': '2026-11-24T08:00:00.000Z' }],
      [ARN, { 'rotor:rotated-at': '2026-11-24T08:00:00.000Z' }],
    ]);
  });

  it('keeps one outcome per rotation when an execution rotates twice', async () => {
    const d = deps();
    for (const round of [1, 2]) {
      const began = await beginRotation({ input: { secretId: ARN }, executionId: 'exec-1' }, d);
      await endRotation(
        { secretId: ARN, executionId: 'exec-1', reason: 'remediation', result: 'rotated', began },
        d,
      );
      expect(d.chains.chains.get('SECRET#prod/orders-db')).toHaveLength(round);
    }
  });

  it('releases the lock even when the audit cannot be written', async () => {
    const d = deps();
    const began = await beginRotation({ input: { secretId: ARN }, executionId: 'exec-1' }, d);
    const broken = {
      ...d,
      audit: { append: async () => Promise.reject(new Error('table gone')) } as unknown as AuditWriter,
    };
    await expect(
      endRotation(
        { secretId: ARN, executionId: 'exec-1', reason: 'manual', result: 'rotated', began },
        broken,
      ),
    ).rejects.toThrow('table gone');
    expect(d.locks.held.size).toBe(0);
  });
});
