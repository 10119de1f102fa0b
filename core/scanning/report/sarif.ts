import type { Finding, Severity } from '../types';

/** What a SARIF report says about the tool that made it. */
export interface SarifTool {
  readonly version: string;
  readonly informationUri?: string;
}

/** A rule as the report describes it (from the rule table: id, title, severity). */
export interface SarifRule {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
}

// GitHub code scanning ranks security results by `security-severity` (0.0-10.0): critical is 9.0 and above.
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.5',
  high: '8.0',
  medium: '5.5',
  low: '3.0',
  info: '1.0',
};
const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/**
 * A SARIF 2.1.0 log of the findings, in the shape GitHub code scanning accepts: one run, the rules that
 * fired with their security severity, one result per finding with its location, the censored excerpt in
 * the message, and the finding's fingerprint as a partial fingerprint (so alerts de-duplicate across runs).
 */
export function toSarif(findings: readonly Finding[], rules: readonly SarifRule[], tool: SarifTool): object {
  const fired = [...new Set(findings.map((f) => f.ruleId))].sort();
  const known = new Map(rules.map((r) => [r.id, r]));
  const ruleEntries = fired.map((id) => {
    const rule = known.get(id) ?? {
      id,
      title: findings.find((f) => f.ruleId === id)!.title,
      severity: findings.find((f) => f.ruleId === id)!.severity,
    };
    return {
      id: rule.id,
      name: pascal(rule.id),
      shortDescription: { text: rule.title },
      fullDescription: {
        text: `${rule.title} found in a file or image. Rotate it, then remove it from the source.`,
      },
      help: {
        text: `A ${rule.title.toLowerCase()} was found. Treat it as leaked: rotate or revoke it first, then remove it from the image or file (a later layer that deletes a file does not remove it from the image).`,
      },
      defaultConfiguration: { level: LEVEL[rule.severity] },
      properties: {
        tags: ['security', 'secret'],
        precision: 'high',
        'security-severity': SECURITY_SEVERITY[rule.severity],
      },
    };
  });
  const index = new Map(fired.map((id, i) => [id, i]));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Rotor',
            semanticVersion: tool.version,
            ...(tool.informationUri ? { informationUri: tool.informationUri } : {}),
            rules: ruleEntries,
          },
        },
        results: findings.map((f) => result(f, index.get(f.ruleId)!)),
      },
    ],
  };
}

function result(f: Finding, ruleIndex: number) {
  const { location } = f;
  const uri = [
    location.layerDigest ? `${location.layerDigest.replace(':', '-')}/` : '',
    location.path,
    location.innerPath ? `/${location.innerPath}` : '',
  ].join('');
  const notes = [
    f.managedSecret
      ? `This is the ${f.managedSecret.stage === 'AWSCURRENT' ? 'live' : 'previous'} value of the managed secret ${f.managedSecret.secretId}.`
      : '',
    f.deletedBy
      ? `A later layer (${f.deletedBy.layerDigest}) deletes the file, but it is still in the image.`
      : '',
  ].filter(Boolean);
  return {
    ruleId: f.ruleId,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: [`${f.title}: ${f.excerpt}`, ...notes].join(' ') },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(uri) },
          ...(location.line > 0
            ? { region: { startLine: location.line, startColumn: Math.max(1, location.column) } }
            : {}),
        },
        ...(location.target ? { message: { text: location.target } } : {}),
      },
    ],
    partialFingerprints: { 'rotorFinding/v1': f.fingerprint },
    properties: {
      severity: f.severity,
      ...(location.target ? { target: location.target } : {}),
      ...(location.manifestDigest ? { manifestDigest: location.manifestDigest } : {}),
      ...(location.layerDigest ? { layerDigest: location.layerDigest } : {}),
      ...(f.managedSecret ? { managedSecret: f.managedSecret.secretId } : {}),
      ...(f.deletedBy ? { deletedBy: f.deletedBy.layerDigest } : {}),
    },
  };
}

function pascal(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());
}
