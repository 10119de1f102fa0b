import type { AuditEvent } from '../../../../core/audit/event';
import type { LayerScan } from '../../../../core/scanning/image/ports';
import type {
  AuditAppender,
  FindingRecord,
  FindingsStore,
  LayerResultStore,
  LeakNotifier,
  FoundSecret,
  SecretLeak,
  StoredLayerResult,
} from '../../../../core/scanning/pipeline/ports';
import type { Detector, FileLocation, Finding, ScanFile } from '../../../../core/scanning/types';
import { FakeDetector } from '../image/support/fake-detector';

/** The layer store in a Map, with the same complete/partial rules as the DynamoDB one. */
export class MemoryLayerResultStore implements LayerResultStore {
  readonly entries = new Map<string, StoredLayerResult>();
  readonly puts: string[] = [];
  async get(digest: string, version: string): Promise<LayerScan | undefined> {
    const r = this.entries.get(`${version}/${digest}`);
    return r?.complete ? r.scan : undefined;
  }
  async has(digest: string, version: string): Promise<boolean> {
    return (await this.get(digest, version)) !== undefined;
  }
  async put(digest: string, version: string, scan: LayerScan): Promise<void> {
    this.puts.push(digest);
    this.entries.set(`${version}/${digest}`, { scan, complete: true });
  }
  async putPartial(digest: string, version: string, scan: LayerScan): Promise<void> {
    this.puts.push(digest);
    this.entries.set(`${version}/${digest}`, { scan, complete: false });
  }
  async getResult(digest: string, version: string): Promise<StoredLayerResult | undefined> {
    return this.entries.get(`${version}/${digest}`);
  }
}

/** The findings store in a Map, keyed as the table is. */
export class MemoryFindingsStore implements FindingsStore {
  readonly items = new Map<string, FindingRecord & { auditedAt?: string }>();
  async claim(record: FindingRecord): Promise<boolean> {
    const key = `${record.fingerprint}|${record.occurrence}`;
    if (this.items.get(key)?.auditedAt) return false;
    this.items.set(key, { ...record });
    return true;
  }
  async markAudited(record: Pick<FindingRecord, 'fingerprint' | 'occurrence'>, at: string): Promise<void> {
    const key = `${record.fingerprint}|${record.occurrence}`;
    this.items.set(key, { ...this.items.get(key)!, auditedAt: at });
  }
}

/** Records audit events; fails the next `failNext` appends. */
export class RecordingAudit implements AuditAppender {
  readonly events: AuditEvent[] = [];
  failNext = 0;
  async append(event: AuditEvent): Promise<unknown> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('audit table unavailable');
    }
    this.events.push(event);
    return event;
  }
}

/** Records leak notifications. */
export class RecordingLeaks implements LeakNotifier {
  readonly leaks: SecretLeak[] = [];
  readonly found: FoundSecret[] = [];
  async secretLeaked(leak: SecretLeak): Promise<void> {
    this.leaks.push(leak);
  }
  async secretFound(found: FoundSecret): Promise<void> {
    this.found.push(found);
  }
}

/** The fake detector, marking the findings of one marker as a managed secret. */
export function managedFake(managedMarker: string, secretId: string): Detector {
  const inner = new FakeDetector();
  const mark = (f: Finding): Finding =>
    f.fingerprint === managedMarker ? { ...f, managedSecret: { secretId, stage: 'AWSCURRENT' } } : f;
  return {
    scanFile: async (file: ScanFile) => (await inner.scanFile(file)).map(mark),
    scanText: (text: string, location: FileLocation) => inner.scanText(text, location).map(mark),
  };
}
