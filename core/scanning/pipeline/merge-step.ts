import { createHash } from 'node:crypto';
import type { Clock } from '../../clock';
import type { MergeInput, MergeOutput, ScanProblemRef } from '../../contracts/scanning';
import { scanConfig } from '../image/config';
import { DigestMismatchError } from '../image/errors';
import { DEFAULT_LIMITS, type ScanLimits } from '../image/limits';
import type { LayerScan } from '../image/ports';
import { sha256Digest } from '../image/streams';
import { mergeLayerFindings } from '../image/whiteouts';
import type { Detector, Finding, Severity } from '../types';
import { targetText } from './ecr-event';
import { LayerResultMissingError } from './errors';
import type {
  AuditAppender,
  BlobSourceFactory,
  FindingRecord,
  FindingsStore,
  LayerResultStore,
  LeakNotifier,
} from './ports';
import { problemRef } from './problems';

/** What Merge needs. */
export interface MergeDeps {
  readonly blobs: BlobSourceFactory;
  readonly layers: LayerResultStore;
  readonly findings: FindingsStore;
  readonly audit: AuditAppender;
  readonly leaks: LeakNotifier;
  readonly detector: Detector;
  readonly clock: Clock;
  readonly limits?: Partial<ScanLimits>;
  /** The audit actor. @default 'rotor:scanner' */
  readonly actor?: string;
}

/**
 * Step 3: per platform image, reads its layers' stored results in manifest order and merges whiteouts (a
 * deleted file's finding carries `deletedBy`), scans the image config, stores each finding once (keyed by
 * fingerprint and occurrence, so a rescan adds nothing), and for each finding not seen before appends a
 * `scan.finding` audit record and, when it is a managed secret, tells remediation. A finding is marked
 * audited only after both, so a run that stops midway audits it on the next run (at least once).
 */
export async function mergeStep(input: MergeInput, deps: MergeDeps): Promise<MergeOutput> {
  const { resolve } = input;
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const target = targetText(resolve);
  const problems: ScanProblemRef[] = [...resolve.problems];
  for (const layer of input.layers) if (layer.error) problems.push(layer.error);
  const source = deps.blobs(resolve.registry, resolve.repository, resolve.digest);
  const scans = new Map<string, LayerScan | null>();
  const all: Finding[] = [];

  for (const image of resolve.images) {
    const ordered: LayerScan[] = [];
    for (const digest of image.layers) {
      if (!scans.has(digest)) {
        const stored = await deps.layers.getResult(digest, resolve.rulesetVersion);
        if (!stored && !input.layers.some((l) => l.digest === digest && l.error)) {
          problems.push(
            problemRef(
              new LayerResultMissingError(
                `layer ${digest}: no stored result for ruleset ${resolve.rulesetVersion}`,
              ),
              { layerDigest: digest },
            ),
          );
        }
        scans.set(digest, stored?.scan ?? null);
      }
      const scan = scans.get(digest);
      if (scan) ordered.push(scan);
    }
    const at = { target, manifestDigest: image.manifestDigest };
    for (const f of mergeLayerFindings(ordered)) all.push({ ...f, location: { ...f.location, ...at } });
    try {
      const bytes = await source.readBlob(image.config.digest, limits.maxConfigBytes);
      const actual = sha256Digest(bytes);
      if (actual !== image.config.digest) {
        throw new DigestMismatchError(`config ${image.config.digest}: content does not match its digest`, {
          context: { digest: image.config.digest, actual },
        });
      }
      all.push(...scanConfig(bytes, deps.detector, at, `config ${image.config.digest}`));
    } catch (error) {
      problems.push(problemRef(error, { manifestDigest: image.manifestDigest }));
    }
  }

  let newFindings = 0;
  let managedLeaks = 0;
  const newBySeverity: Partial<Record<Severity, number>> = {};
  for (const finding of all) {
    const record = findingRecord(finding, resolve, deps.clock.now().toISOString());
    if (!(await deps.findings.claim(record))) continue;
    newFindings += 1;
    newBySeverity[record.severity] = (newBySeverity[record.severity] ?? 0) + 1;
    await deps.audit.append({
      type: 'scan.finding',
      subject: `IMAGE#${resolve.repository}`,
      actor: deps.actor ?? 'rotor:scanner',
      outcome: 'success',
      versions: { to: record.imageDigest },
      eventId: createHash('sha256').update(`${record.fingerprint}\u0000${record.occurrence}`).digest('hex'),
      details: {
        ruleId: record.ruleId,
        severity: record.severity,
        fingerprint: record.fingerprint,
        location: record.location.slice(0, 2048),
        ...(record.layerDigest ? { layerDigest: record.layerDigest } : {}),
        ...(record.managedSecretId ? { managedSecretId: record.managedSecretId } : {}),
        ...(record.deletedBy ? { deletedInLayer: record.deletedBy } : {}),
      },
    });
    const where = {
      fingerprint: record.fingerprint,
      ruleId: record.ruleId,
      severity: record.severity,
      registry: resolve.registry,
      repository: resolve.repository,
      targetDigest: resolve.digest,
      imageDigest: record.imageDigest,
      location: record.location,
      deleted: record.deletedBy !== undefined,
    };
    if (finding.managedSecret) {
      managedLeaks += 1;
      await deps.leaks.secretLeaked({
        secretId: finding.managedSecret.secretId,
        stage: finding.managedSecret.stage,
        ...where,
      });
    } else {
      await deps.leaks.secretFound?.(where);
    }
    await deps.findings.markAudited(record, deps.clock.now().toISOString());
  }
  return { findings: all.length, newFindings, managedLeaks, newBySeverity, problems };
}

/**
 * Where a finding is, as one string: `<layer digest>:<path>[!<inner path>]:<line>:<column>` in a layer,
 * `config:<field>:0:<column>` in the image config (its paths already start with `config:`).
 */
export function locationText(finding: Finding): string {
  const l = finding.location;
  const inner = l.innerPath ? `!${l.innerPath}` : '';
  const where = l.layerDigest ? `${l.layerDigest}:${l.path}` : l.path;
  return `${where}${inner}:${l.line}:${l.column}`;
}

/** The stored form of a finding. */
export function findingRecord(
  finding: Finding,
  request: { registry: string; repository: string; digest: string },
  now: string,
): FindingRecord {
  const l = finding.location;
  const imageDigest = l.manifestDigest ?? request.digest;
  const location = locationText(finding);
  return {
    fingerprint: finding.fingerprint,
    occurrence: `${imageDigest}#${location}`,
    imageDigest,
    targetDigest: request.digest,
    registry: request.registry,
    repository: request.repository,
    ruleId: finding.ruleId,
    title: finding.title,
    severity: finding.severity,
    location,
    path: l.path,
    line: l.line,
    column: l.column,
    excerpt: finding.excerpt,
    firstSeenAt: now,
    ...(l.layerDigest ? { layerDigest: l.layerDigest } : {}),
    ...(l.innerPath ? { innerPath: l.innerPath } : {}),
    ...(finding.deletedBy ? { deletedBy: finding.deletedBy.layerDigest } : {}),
    ...(finding.managedSecret
      ? { managedSecretId: finding.managedSecret.secretId, managedStage: finding.managedSecret.stage }
      : {}),
  };
}
