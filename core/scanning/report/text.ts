import { SEVERITIES, type Finding } from '../types';
import { bySeverity, where } from './severity';

/** A plain table for a terminal: severity, rule, where, excerpt, and what else is true of the finding. */
export function toTable(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'no secrets found';
  const rows = bySeverity(findings).map((f) => [
    f.severity.toUpperCase(),
    f.ruleId,
    where(f),
    f.excerpt.replace(/\s+/g, ' ').slice(0, 80),
    [
      f.managedSecret ? `MANAGED ${f.managedSecret.secretId} (${f.managedSecret.stage})` : '',
      f.deletedBy ? 'deleted by a later layer, still in the image' : '',
    ]
      .filter(Boolean)
      .join('; '),
  ]);
  const header = ['SEVERITY', 'RULE', 'WHERE', 'EXCERPT', 'NOTE'];
  const widths = header.map((h, i) => Math.min(70, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  const summary = [...SEVERITIES]
    .reverse()
    .map((s) => [s, findings.filter((f) => f.severity === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s}`)
    .join(', ');
  return [
    line(header),
    ...rows.map(line),
    '',
    `${findings.length} finding${findings.length === 1 ? '' : 's'}: ${summary}`,
  ].join('\n');
}
