import type { AuditRecord } from '../../../core/audit/event';
import type { ChainCatalog, RecordRef } from '../../../core/audit/ports';
import { AuditWriter } from '../../../core/audit/writer';
import { rotationStep } from '../../support/audit-events';
import { captureOutput, lambdaContext } from '../../support/lambda-context';
import { MemoryChainStore } from '../../support/memory-chain-store';

/** The trail the handler reads, in memory: the DynamoDB adapter is replaced by it below. */
class MemoryTrail extends MemoryChainStore implements ChainCatalog {
  async *subjects(): AsyncIterable<string> {
    yield* [...this.chains.keys()];
  }
  chain(subject: string): AsyncIterable<AuditRecord> {
    return this.chainFrom(subject, 1);
  }
  async *appendedSince(since: string): AsyncIterable<RecordRef> {
    for (const [subject, records] of this.chains)
      for (const r of records) if (r.at >= since) yield { subject, seq: r.seq };
  }
  async *chainFrom(subject: string, fromSeq: number): AsyncIterable<AuditRecord> {
    for (const r of this.chains.get(subject) ?? []) if (r.seq >= fromSeq) yield r;
  }
}

const mockTrail = new MemoryTrail();
jest.mock('../../../adapters/dynamodb-audit-store', () => ({
  DynamoDbAuditStore: jest.fn(() => mockTrail),
}));

type Handler = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
let handler: Handler;
const planted = `planted-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  process.env.AUDIT_TABLE_NAME = 'rotor-audit';
  process.env.POWERTOOLS_METRICS_DISABLED = 'false';
  handler = require('../../../functions/audit-verify/handler').handler;
  const writer = new AuditWriter({ store: mockTrail });
  for (const secret of ['orders', 'billing', 'search'])
    for (let i = 0; i < 3; i++)
      await writer.append(rotationStep(secret, { eventId: `${secret}-${i}`, actor: planted }));
});
afterAll(() => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
});

/** The JSON lines a run printed: EMF blobs (with `_aws`) and log lines. */
function lines(output: string): Array<Record<string, any>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

/** The metrics a run emitted, as `name -> value`, checking each blob's namespace and dimensions. */
function emitted(output: string): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const blob of lines(output).filter((l) => l._aws)) {
    for (const directive of blob._aws.CloudWatchMetrics) {
      expect(directive.Namespace).toBe('Rotor');
      expect(directive.Dimensions).toEqual([['service']]);
      expect(blob.service).toBe('audit-verify');
      for (const metric of directive.Metrics) metrics[metric.Name] = blob[metric.Name];
    }
  }
  return metrics;
}

async function run(event: unknown) {
  const out = await captureOutput(() => handler(event, lambdaContext('audit-verify')));
  if (out.error) throw out.error;
  return { result: out.result!, output: out.output };
}

describe('audit-verify handler', () => {
  it('verifies every chain on a full pass, emits ChainsVerified and BrokenChains 0, and logs the digest', async () => {
    const { result, output } = await run({ mode: 'full' });
    expect(result).toMatchObject({ mode: 'full', chains: 3, records: 9, brokenChains: 0 });
    expect(emitted(output)).toEqual({ ChainsVerified: 3, BrokenChains: 0 });
    const summary = lines(output).find((l) => l.message === 'audit trail verified');
    expect(summary).toMatchObject({ level: 'INFO', chains: 3, digest: result.digest });
  });

  it('on a recent pass with nothing broken emits ChainsVerified only, and logs each head to anchor', async () => {
    const { result, output } = await run({ mode: 'recent', lookbackMinutes: 60 });
    expect(result).toMatchObject({ mode: 'recent', chains: 3, brokenChains: 0 });
    expect(emitted(output)).toEqual({ ChainsVerified: 3 });
    const heads = lines(output).filter((l) => l.message === 'audit chain verified');
    expect(heads.map((h) => h.subject).sort()).toEqual(['SECRET#billing', 'SECRET#orders', 'SECRET#search']);
    expect(heads[0].headHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('treats a bare scheduled event as a recent pass', async () => {
    const { result } = await run({ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} });
    expect(result.mode).toBe('recent');
  });

  it('names the broken chain, its sequence and why, emits BrokenChains 1, and logs no record content', async () => {
    const record = mockTrail.chains.get('SECRET#billing')![1] as AuditRecord & { details: { kind?: string } };
    const original = record.details.kind;
    record.details.kind = 'mysql';
    try {
      const { result, output } = await run({ mode: 'recent' });
      expect(result).toMatchObject({ brokenChains: 1 });
      expect(emitted(output)).toEqual({ ChainsVerified: 3, BrokenChains: 1 });
      const broken = lines(output).find((l) => l.message === 'audit chain broken');
      expect(broken).toMatchObject({ level: 'ERROR', subject: 'SECRET#billing', seq: 2, kind: 'changed' });
      expect(broken!.reason).toContain('record 2 of SECRET#billing was changed');
      expect(output).not.toContain(planted);
      expect(output).not.toContain('mysql');
    } finally {
      record.details.kind = original;
    }
  });

  it('appends an audit.verified record of the run when asked, and nothing otherwise', async () => {
    await run({ mode: 'full' });
    expect(mockTrail.chains.has('SYSTEM#audit-verify')).toBe(false);
    await run({ mode: 'full', record: true });
    expect(mockTrail.chains.get('SYSTEM#audit-verify')).toEqual([
      expect.objectContaining({
        type: 'audit.verified',
        actor: 'rotor:audit-verify',
        outcome: 'success',
        details: { chains: 3, broken: 0 },
      }),
    ]);
  });

  it.each([
    [{ mode: 'recent', lookbackMinutes: 0 }, 'lookbackMinutes'],
    [{ mode: 'recent', lookbackMinutes: 20_000 }, 'lookbackMinutes'],
    [{ mode: 'full', record: 'yes' }, 'record'],
  ])('refuses %j, naming %s', async (event, field) => {
    const out = await captureOutput(() => handler(event, lambdaContext('audit-verify')));
    expect((out.error as Error).name).toBe('InvalidVerifyRequestError');
    expect((out.error as Error).message).toContain(field);
  });

  it('rejects a request it does not understand, naming the field', async () => {
    const out = await captureOutput(() => handler({ mode: 'everything' }, lambdaContext('audit-verify')));
    expect((out.error as Error).name).toBe('InvalidVerifyRequestError');
    expect((out.error as Error).message).toContain('mode');
  });
});
