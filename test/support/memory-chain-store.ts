import type { AuditRecord } from '../../core/audit/event';
import type { ChainStore } from '../../core/audit/ports';

/** A ChainStore in memory with the same slot semantics as the DynamoDB one: a taken (subject, seq) stays taken. */
export class MemoryChainStore implements ChainStore {
  readonly chains = new Map<string, AuditRecord[]>();
  /** Called before each put: lets a test make another writer win the race. */
  beforePut?: (record: AuditRecord) => void;

  async head(subject: string): Promise<AuditRecord | undefined> {
    const chain = this.chains.get(subject) ?? [];
    return chain.at(-1);
  }

  async putIfAbsent(record: AuditRecord): Promise<boolean> {
    this.beforePut?.(record);
    const chain = this.chains.get(record.subject) ?? [];
    if (chain.some((r) => r.seq === record.seq)) return false;
    chain.push(structuredClone(record));
    chain.sort((a, b) => a.seq - b.seq);
    this.chains.set(record.subject, chain);
    return true;
  }

  async *records(subject: string): AsyncIterable<AuditRecord> {
    for (const record of this.chains.get(subject) ?? []) yield record;
  }
}
