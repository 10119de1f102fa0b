import { SEVERITIES, type Finding, type Severity } from '../types';

/** Whether a severity is at or above a threshold (`--fail-on high` fails on high and critical). */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(threshold);
}

/** Findings ordered most severe first, then by where they are. */
export function bySeverity(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) ||
      where(a).localeCompare(where(b)) ||
      a.location.line - b.location.line,
  );
}

/** Where a finding is, in one string: `sha256:abcd1234…/etc/app.env:3`, `config:Env[2]`. */
export function where(finding: Finding): string {
  const { layerDigest, path, innerPath, line } = finding.location;
  const layer = layerDigest ? `${layerDigest.slice(0, 19)}/` : '';
  const inner = innerPath ? `!${innerPath}` : '';
  return `${layer}${path}${inner}${line > 0 ? `:${line}` : ''}`;
}
