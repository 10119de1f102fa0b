/**
 * The scan workflow's shared shapes: table keys, environment variable names, event names and the payloads
 * that travel between its Step Functions states. The CDK construct (lib/scanning/) and the functions
 * (functions/scan-*) both read this file, so the two cannot drift apart.
 */

/**
 * The layer cache table: one layer's scan under one ruleset version, stored gzipped in parts (a layer's
 * findings may exceed DynamoDB's 400 KB item limit and Step Functions' 256 KB payload limit).
 * `digest` = layer digest; `part` = `<rulesetVersion>#<4-digit part number>`.
 */
export const LAYER_CACHE_TABLE = {
  partitionKey: 'digest',
  sortKey: 'part',
  ttlAttribute: 'expiresAt',
} as const;

/**
 * The findings table: one item per (secret, image, place). The partition is the finding's fingerprint, so
 * every sighting of the same secret anywhere is one Query away (remediation's question: "where else is
 * this secret?"); the sort key `occurrence` = `<manifestDigest>#<location>` makes a rescan of the same
 * image write nothing new. The `by-image` index lists an image's findings.
 */
export const FINDINGS_TABLE = {
  partitionKey: 'fingerprint',
  sortKey: 'occurrence',
  imageAttribute: 'imageDigest',
  indexes: { byImage: 'by-image' },
} as const;

/** The environment the scan functions read. */
export const SCAN_ENV = {
  layerCacheTable: 'LAYER_CACHE_TABLE_NAME',
  findingsTable: 'FINDINGS_TABLE_NAME',
  rulesetVersion: 'ROTOR_RULESET_VERSION',
  eventBusName: 'ROTOR_EVENT_BUS_NAME',
  /**
   * Tests and `rotor local` only (the construct never sets it): `http://127.0.0.1:<port>` sends every
   * registry request to that loopback registry over plain HTTP instead of ECR.
   */
  registryEndpoint: 'ROTOR_REGISTRY_ENDPOINT',
} as const;

/** How bad a leak of this kind is. Ordered from least to most severe. */
export const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The CloudTrail event, as EventBridge delivers it, that starts a task definition scan. */
export const REGISTER_TASK_DEFINITION_EVENT = {
  source: 'aws.ecs',
  detailType: 'AWS API Call via CloudTrail',
  eventSource: 'ecs.amazonaws.com',
  eventName: 'RegisterTaskDefinition',
} as const;

/** The task definition scan's environment beyond SCAN_ENV: how many families the sweep scans at once. */
export const TASK_DEFINITION_SCAN_ENV = { sweepConcurrency: 'ROTOR_SWEEP_CONCURRENCY' } as const;

/** The EventBridge source and detail types the scanner emits. */
export const SCANNER_EVENTS = {
  source: 'rotor.scanner',
  secretLeaked: 'Rotor Managed Secret Leaked',
  /** A new finding that matches no managed secret: people are told where it is and how to manage it. */
  secretFound: 'Rotor Unmanaged Secret Found',
  scanFailed: 'Rotor Scan Failed',
} as const;

/** A layer blob to scan, as the manifest describes it. */
export interface LayerRef {
  readonly digest: string;
  readonly size?: number;
  readonly mediaType: string;
}

/** The workflow's input: an image in a registry, by digest (what an ECR push event carries). */
export interface ScanRequest {
  /** `host[:port]`: `<account>.dkr.ecr.<region>.amazonaws.com` in AWS. */
  readonly registry: string;
  readonly repository: string;
  /** The pushed manifest or index digest. */
  readonly digest: string;
  /** The tag pushed, when there was one (for people; the scan is by digest). */
  readonly tag?: string;
}

/** One platform image of the target, as Resolve found it. */
export interface ResolvedImageRef {
  readonly manifestDigest: string;
  readonly platform?: string;
  readonly config: LayerRef;
  /** Layer digests in manifest order (scannable layers only). */
  readonly layers: readonly string[];
}

/** What Resolve returns (at `$.resolve`): small, whatever the layers hold. */
export interface ResolveOutput extends ScanRequest {
  readonly rulesetVersion: string;
  readonly images: readonly ResolvedImageRef[];
  /** Distinct layers not yet in the cache for this ruleset version: the Map's items. */
  readonly layers: readonly LayerRef[];
  readonly layersCached: number;
  readonly problems: readonly ScanProblemRef[];
}

/** The input of one ScanLayer task (a Map item). */
export interface ScanLayerInput {
  readonly registry: string;
  readonly repository: string;
  readonly rulesetVersion: string;
  readonly layer: LayerRef;
}

/** What ScanLayer returns: a reference (the result itself is in the layer cache table) and counts. */
export interface ScanLayerOutput {
  readonly digest: string;
  readonly findings: number;
  readonly files: number;
  /** Set when the layer could not be scanned completely; its partial result is stored but not cached. */
  readonly error?: ScanProblemRef;
}

/** What Merge returns (at `$.merge`). */
export interface MergeOutput {
  readonly findings: number;
  /** Findings not stored before (a rescan of the same image gives 0). */
  readonly newFindings: number;
  readonly managedLeaks: number;
  /**
   * New findings per severity (the same findings `newFindings` counts; a severity with none is absent).
   * Optional so that a Merge output recorded before it existed still parses: read it as `?? {}`.
   */
  readonly newBySeverity?: Readonly<Partial<Record<Severity, number>>>;
  readonly problems: readonly ScanProblemRef[];
}

/** A problem, by class name and a message that names digests and paths, never content. */
export interface ScanProblemRef {
  readonly error: string;
  readonly message: string;
  readonly manifestDigest?: string;
  readonly layerDigest?: string;
}

/** The input of Merge: Resolve's output and the Map's results. */
export interface MergeInput {
  readonly resolve: ResolveOutput;
  readonly layers: readonly ScanLayerOutput[];
}
