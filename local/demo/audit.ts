import { PutItemCommand, GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import type { AuditEvent } from '../../core/audit/event';
import { verifyChain, type ChainReport } from '../../core/audit/verify';
import { AuditWriter } from '../../core/audit/writer';
import { summary } from '../../cli/commands/audit';
import type { LocalHandler } from '../lambda-runner';
import type { Reporter } from '../reporter';
import { cloudTrailSamples } from '../samples/cloudtrail';

const SUBJECTS = ['SECRET#orders-db', 'SECRET#payments-api-key', 'IMAGE#shop/api'] as const;

/** What a writer of the demo appends: the kinds of event each part of Rotor will write. */
function demoEvent(subject: (typeof SUBJECTS)[number], writer: number, i: number): AuditEvent {
  const actor = `rotor:writer-${writer}`;
  const eventId = `demo-${writer}-${i}`;
  if (subject === 'IMAGE#shop/api') {
    return {
      type: 'scan.finding',
      subject,
      actor,
      outcome: 'success',
      eventId,
      versions: { to: `sha256:${(writer * 100 + i).toString(16).padStart(64, '0')}` },
      details: {
        ruleId: 'aws-access-key-id',
        severity: 'critical',
        fingerprint: `fp-${writer}-${i}`,
        location: `layer ${i}: /app/.env:3`,
      },
    };
  }
  const steps = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
  return {
    type: 'rotation.step',
    subject,
    actor,
    outcome: 'success',
    eventId,
    versions: { from: `v${writer}-${i}-old`, to: `v${writer}-${i}-new` },
    details: {
      step: steps[i % 4],
      kind: subject === 'SECRET#orders-db' ? 'postgres' : 'api-key',
      durationMs: 10 + i,
    },
  };
}

/**
 * The audit trail's part of `rotor local`: concurrent writers append to three chains, the bundled
 * audit-ingest function records CloudTrail calls (a redelivery included), the trail is listed and
 * verified, and a tampered record is caught.
 */
export async function auditDemo(options: {
  reporter: Reporter;
  client: DynamoDBClient;
  auditTable: string;
  ingest: LocalHandler;
  writers?: number;
  eventsPerWriter?: number;
}): Promise<{ records: number; chains: ChainReport[] }> {
  const { reporter, client, auditTable, ingest } = options;
  const writers = options.writers ?? 8;
  const perWriter = options.eventsPerWriter ?? 6;
  const store = new DynamoDbAuditStore(auditTable, client);

  await reporter.step(`appended events from ${writers} concurrent writers`, async () => {
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const writer = new AuditWriter({ store });
        for (let i = 0; i < perWriter; i++)
          await writer.append(demoEvent(SUBJECTS[(w + i) % SUBJECTS.length], w, i));
      }),
    );
    return {
      detail: `${writers * perWriter} events over ${SUBJECTS.length} chains, each appended with a conditional write on its chain`,
    };
  });

  await reporter.step('ingested CloudTrail records through the bundled audit-ingest function', async () => {
    const samples = Object.values(cloudTrailSamples());
    for (const sample of samples) await ingest(sample);
    await ingest(samples[0]); // EventBridge may deliver twice: the idempotency table answers the second
    return {
      detail: `${samples.length} Secrets Manager calls recorded (one redelivery ignored), including a denied GetSecretValue`,
    };
  });

  await reporter.step('listed the newest records of SECRET#prod/orders-db', async () => {
    const page = await store.bySubject('SECRET#prod/orders-db', { limit: 5 });
    const block = page.items
      .map(
        (r) =>
          `#${String(r.seq).padEnd(3)} ${r.type.padEnd(14)} ${r.outcome.padEnd(8)} ${summary(r)}  by ${r.actor}`,
      )
      .join('\n');
    return {
      detail: `${page.items.length} records, newest first (rotor audit list --subject prod/orders-db)`,
      data: page.items,
      block,
    };
  });

  const chains = await verifyAll(reporter, store, 'verified every chain');

  await reporter.step('tampered with one record and verified again', async () => {
    const key = marshall({ subject: 'SECRET#orders-db', seq: 2 });
    const original = (
      await client.send(new GetItemCommand({ TableName: auditTable, Key: key, ConsistentRead: true }))
    ).Item!;
    await client.send(
      new PutItemCommand({
        TableName: auditTable,
        Item: { ...original, actor: { S: 'arn:aws:iam::000000000000:user/mallory' } },
      }),
    );
    const report = await verifyChain('SECRET#orders-db', store.chain('SECRET#orders-db'));
    await client.send(new PutItemCommand({ TableName: auditTable, Item: original }));
    if (!report.broken) throw new Error('tampering was not detected');
    return { detail: `detected: ${report.broken.message} (record restored)` };
  });

  return { records: chains.reduce((n, c) => n + c.records, 0), chains };
}

async function verifyAll(
  reporter: Reporter,
  store: DynamoDbAuditStore,
  name: string,
): Promise<ChainReport[]> {
  const { data } = await reporter.step(name, async () => {
    const reports: ChainReport[] = [];
    for await (const subject of store.subjects())
      reports.push(await verifyChain(subject, store.chain(subject)));
    const broken = reports.filter((r) => r.broken);
    if (broken.length) throw new Error(broken.map((r) => r.broken!.message).join('; '));
    const total = reports.reduce((n, r) => n + r.records, 0);
    return { detail: `${reports.length} chains, ${total} records, all links intact`, data: reports };
  });
  return data as ChainReport[];
}
