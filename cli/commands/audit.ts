import { Command, Option } from 'commander';
import { DynamoDbAuditStore } from '../../adapters/dynamodb-audit-store';
import { AUDIT_EVENT_TYPES, type AuditEventType, type AuditRecord } from '../../core/audit/event';
import type { ChainReport } from '../../core/audit/verify';
import { verifyChain } from '../../core/audit/verify';
import { auditTableName, dynamoClient } from '../aws';
import { type Output, UsageError, createOutput, dim, green, parseSince, red, table } from '../output';

interface CommonOptions {
  table?: string;
  stack?: string;
  region?: string;
  json?: boolean;
}

async function openStore(options: CommonOptions): Promise<DynamoDbAuditStore> {
  return new DynamoDbAuditStore(await auditTableName(options), dynamoClient(options.region));
}

const tableOption = () =>
  new Option('--table <name>', 'the audit table (default: $ROTOR_AUDIT_TABLE, else the stack output)');
const stackOption = () =>
  new Option('--stack <name>', 'the deployed stack to read the table name from').default('Rotor');
const regionOption = () => new Option('--region <region>', 'the AWS region (default: the SDK default chain)');

/** `rotor audit`: read and verify the audit trail. */
export function auditCommand(): Command {
  const audit = new Command('audit').description('read and verify the tamper-evident audit trail');

  audit
    .command('list')
    .description('list audit records of a subject, an event type or an actor, newest first')
    .option('--subject <subject>', 'a chain: SECRET#<name>, IMAGE#<repo> (a bare name means SECRET#<name>)')
    .addOption(new Option('--type <type>', 'an event type').choices(AUDIT_EVENT_TYPES as string[]))
    .option('--actor <actor>', 'a principal ARN or rotor:<component>')
    .option('--since <when>', 'only records since then: 24h, 7d, or an ISO 8601 time')
    .option('--until <when>', 'only records until then')
    .option('--limit <n>', 'records per page', (v) => positiveInt(v, '--limit'), 50)
    .option('--cursor <cursor>', 'continue after a previous page')
    .option('--oldest-first', 'oldest records first')
    .option('--json', 'print JSON')
    .addOption(tableOption())
    .addOption(stackOption())
    .addOption(regionOption())
    .action(async (options: CommonOptions & ListFlags) => {
      const out = createOutput(Boolean(options.json));
      await list(await openStore(options), options, out);
    });

  audit
    .command('verify')
    .description('walk hash chains and name the first broken link; exits 1 if any chain is broken')
    .option('--subject <subject>', 'verify one chain (default: every chain in the table)')
    .option('--json', 'print JSON')
    .addOption(tableOption())
    .addOption(stackOption())
    .addOption(regionOption())
    .action(async (options: CommonOptions & { subject?: string }) => {
      const out = createOutput(Boolean(options.json));
      const reports = await verify(
        await openStore(options),
        options.subject ? normaliseSubject(options.subject) : undefined,
        out,
      );
      if (reports.some((r) => r.broken)) process.exitCode = 1;
    });

  return audit;
}

interface ListFlags {
  subject?: string;
  type?: AuditEventType;
  actor?: string;
  since?: string;
  until?: string;
  limit: number;
  cursor?: string;
  oldestFirst?: boolean;
}

/** Lists one page of records and says how to get the next. */
export async function list(store: DynamoDbAuditStore, flags: ListFlags, out: Output): Promise<void> {
  const chosen = [flags.subject, flags.type, flags.actor].filter(Boolean).length;
  if (chosen !== 1) throw new UsageError('give exactly one of --subject, --type or --actor');
  const options = {
    limit: flags.limit,
    cursor: flags.cursor,
    order: flags.oldestFirst ? ('oldest' as const) : ('newest' as const),
    ...(flags.since ? { since: parseSince(flags.since) } : {}),
    ...(flags.until ? { until: parseSince(flags.until) } : {}),
  };
  const page = flags.subject
    ? await store.bySubject(normaliseSubject(flags.subject), options)
    : flags.type
      ? await store.byType(flags.type, options)
      : await store.byActor(flags.actor!, options);
  out.result(page);
  if (page.items.length === 0) {
    out.line('no records');
    return;
  }
  out.line(table(['TIME', 'SUBJECT', 'SEQ', 'TYPE', 'OUTCOME', 'ACTOR', 'WHAT'], page.items.map(row)));
  if (page.cursor) out.line(dim(`\nmore: --cursor ${page.cursor}`));
}

/** Verifies one chain or all, printing a line per chain. */
export async function verify(
  store: DynamoDbAuditStore,
  subject: string | undefined,
  out: Output,
): Promise<ChainReport[]> {
  const reports: ChainReport[] = [];
  const subjects = subject ? [subject] : store.subjects();
  for await (const s of subjects) {
    const report = await verifyChain(s, store.chain(s));
    reports.push(report);
    if (report.broken) out.line(`${red('BROKEN')} ${s}: ${report.broken.message}`);
    else
      out.line(
        `${green('ok')}     ${s}: ${report.records} records, head ${report.headSeq} ${dim(report.headHash.slice(0, 16))}`,
      );
  }
  if (reports.length === 0) out.line(subject ? `no records for ${subject}` : 'the table holds no chains');
  const broken = reports.filter((r) => r.broken).length;
  out.line(
    broken
      ? red(`\n${broken} of ${reports.length} chains broken`)
      : green(`\n${reports.length} chains intact`),
  );
  out.result({ chains: reports.length, broken, reports });
  return reports;
}

function row(record: AuditRecord): string[] {
  return [
    record.at,
    record.subject,
    String(record.seq),
    record.type,
    record.outcome,
    record.actor,
    summary(record),
  ];
}

/** A short description of what a record says, from its details. */
export function summary(record: AuditRecord): string {
  const d = record.details as Record<string, unknown>;
  switch (record.type) {
    case 'rotation.step':
      return `${d.step}${d.error ? ` failed: ${(d.error as { name: string }).name}` : ''}`;
    case 'rotation.outcome':
      return `${d.result} (${d.reason})`;
    case 'secret.access':
      return `${d.api}${d.errorCode ? ` -> ${d.errorCode}` : ''}${d.sourceIp ? ` from ${d.sourceIp}` : ''}`;
    case 'scan.finding':
      return `${d.ruleId} (${d.severity}) at ${d.location}`;
    case 'remediation':
      return `${d.action} for ${d.findingFingerprint}`;
    case 'rotation.consumers': {
      const failed = d.failed as Array<{ service: string }>;
      return `consumers ${d.result}: ${(d.moved as string[]).length} moved${failed.length ? `, ${failed.map((f) => f.service).join(', ')} did not` : ''}`;
    }
    case 'rotation.revoke':
      return `previous credential ${d.result} (${d.trigger})${d.detail ? `: ${d.detail}` : ''}`;
    case 'rotation.sweep':
      return d.phase === 'plan'
        ? `sweep batch ${d.batch}: ${d.due} due of ${d.listed} listed (${d.overdue} overdue)`
        : `sweep batch ${d.batch}: ${d.rotated} rotated, ${d.lockHeld} lock held, ${d.failed} failed`;
    case 'audit.verified':
      return `${d.chains} chains verified, ${d.broken} broken`;
  }
}

function normaliseSubject(subject: string): string {
  return /^[A-Z]+#/.test(subject) ? subject : `SECRET#${subject}`;
}

function positiveInt(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive whole number`);
  return n;
}
