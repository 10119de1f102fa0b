import type { DeferringDetector, SubmittedFile } from '../../../../../core/scanning/image/ports';
import type { Detector, FileLocation, Finding, ScanFile } from '../../../../../core/scanning/types';

/** The marker the fake detector finds: `PLANTED-<n>`. Generated fixtures carry it instead of real-looking secrets. */
export const MARKER = /PLANTED-\d+/g;

/**
 * A stand-in for the real detector: reports every `PLANTED-<n>` in a file's stream (also across chunk
 * boundaries) or a config text, with the marker as fingerprint. Counts files and bytes it was given.
 */
export class FakeDetector implements Detector {
  files = 0;
  bytes = 0;
  maxChunk = 0;
  readonly seenPaths: string[] = [];
  constructor(private readonly options: { recordPaths?: boolean; failOn?: string } = {}) {}

  async scanFile(file: ScanFile): Promise<Finding[]> {
    this.files += 1;
    if (this.options.recordPaths)
      this.seenPaths.push(
        file.location.innerPath ? `${file.location.path}!${file.location.innerPath}` : file.location.path,
      );
    if (this.options.failOn !== undefined && file.location.path === this.options.failOn)
      throw new Error('detector bug');
    const findings: Finding[] = [];
    let carry = '';
    let carryOffset = 0;
    let offset = 0;
    const seen = new Set<number>();
    for await (const chunk of file.chunks) {
      this.bytes += chunk.byteLength;
      this.maxChunk = Math.max(this.maxChunk, chunk.byteLength);
      const text = carry + Buffer.from(chunk).toString('latin1');
      for (const match of text.matchAll(MARKER)) {
        const at = carryOffset + match.index!;
        // A match that touches the end may continue in the next chunk; take it then.
        if (match.index! + match[0].length === text.length) continue;
        if (seen.has(at)) continue;
        seen.add(at);
        findings.push(finding(match[0], file.location));
      }
      offset += chunk.byteLength;
      carry = text.slice(-24);
      carryOffset = offset - carry.length;
    }
    for (const match of carry.matchAll(MARKER)) {
      const at = carryOffset + match.index!;
      if (!seen.has(at)) findings.push(finding(match[0], file.location));
    }
    return findings;
  }

  scanText(text: string, location: FileLocation): Finding[] {
    return [...text.matchAll(MARKER)].map((m) => finding(m[0], location, 0));
  }
}

function finding(marker: string, location: FileLocation, line = 1): Finding {
  return {
    ruleId: 'planted-marker',
    title: 'Planted test marker',
    severity: 'high',
    location: { ...location, line, column: 1 },
    excerpt: 'PLANTED-****',
    fingerprint: marker,
  };
}

/**
 * The FakeDetector behind the DeferringDetector interface (as the worker pool is): each file is read, then
 * answered after `delayMs(chunks)` milliseconds, so files finish out of order.
 */
export class DelayedDetector implements DeferringDetector {
  readonly inner: FakeDetector;
  constructor(
    private readonly delayMs: (chunks: readonly Uint8Array[]) => number,
    failOn?: string,
  ) {
    this.inner = new FakeDetector(failOn === undefined ? {} : { failOn });
  }
  scanFile(file: ScanFile): Promise<Finding[]> {
    return this.inner.scanFile(file);
  }
  scanText(text: string, location: FileLocation): Finding[] {
    return this.inner.scanText(text, location);
  }
  async submitFile(file: ScanFile): Promise<SubmittedFile> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of file.chunks) chunks.push(chunk);
    const delay = this.delayMs(chunks);
    const findings = new Promise<void>((r) => setTimeout(r, delay)).then(() =>
      this.inner.scanFile({
        ...file,
        chunks: (async function* () {
          yield* chunks;
        })(),
      }),
    );
    return { findings };
  }
}
