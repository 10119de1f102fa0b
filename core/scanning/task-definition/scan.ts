import { DEFAULT_FINGERPRINT_KEY, findingFingerprint } from '../detect/fingerprint';
import { excerptAround } from '../detect/redact';
import type { Detector, Finding } from '../types';
import { taskDefinitionRemedy } from './remedy';
import { SECRET_NAME_RULE_ID, SECRET_NAME_RULE_TITLE, isSecretName, isSecretValue } from './secret-names';
import type {
  ContainerEnvironment,
  EnvironmentVariable,
  TaskDefinitionEnvironment,
  TaskDefinitionField,
  TaskDefinitionFinding,
  TaskDefinitionNote,
  TaskDefinitionRef,
  TaskDefinitionScan,
} from './types';

/** What scanTaskDefinition needs. */
export interface TaskDefinitionScanOptions {
  /** The image scanner's detector (rules, managed secrets, fingerprint key): see createDetector. */
  readonly detector: Detector;
  /** Key of the name rule's fingerprints: the detector's key, so both agree. @default DEFAULT_FINGERPRINT_KEY */
  readonly fingerprintKey?: string | Uint8Array;
}

/** One text of a container definition to scan. */
interface Entry {
  readonly field: TaskDefinitionField;
  readonly variable: string;
  readonly path: string;
  /** What the detector reads: `NAME=value`, or the command's words joined by spaces. */
  readonly text: string;
  /** The value, at the end of `text`. */
  readonly value: string;
  /** Whether a secret-sounding name makes a non-placeholder value a finding. */
  readonly nameRule: boolean;
}

/**
 * The texts of a container: each environment variable (`<container>/<VAR>`) and log option
 * (`<container>/logConfiguration.options/<key>`) as `NAME=value` with the name rule; each Docker label as
 * `key=value` without it (labels are metadata more often than configuration); `command` and `entryPoint`
 * each as one text (`--password x` spans two words).
 */
function entriesOf(container: ContainerEnvironment): Entry[] {
  const c = container.name;
  const pairs = (
    field: TaskDefinitionField,
    list: readonly EnvironmentVariable[] | undefined,
    nameRule: boolean,
    prefix: string,
  ) =>
    (list ?? []).map(({ name, value }) => ({
      field,
      variable: name,
      path: `${c}/${prefix}${name}`,
      text: `${name}=${value}`,
      value,
      nameRule,
    }));
  const words = (field: 'command' | 'entryPoint', list: readonly string[] | undefined): Entry[] => {
    const text = (list ?? []).join(' ');
    return text === ''
      ? []
      : [{ field, variable: field, path: `${c}/${field}`, text, value: text, nameRule: false }];
  };
  return [
    ...pairs('environment', container.environment, true, ''),
    ...pairs('logConfiguration.options', container.logOptions, true, 'logConfiguration.options/'),
    ...pairs('dockerLabels', container.dockerLabels, false, 'dockerLabels/'),
    ...words('command', container.command),
    ...words('entryPoint', container.entryPoint),
  ];
}

/** How findings in a task definition are located: `target` names the revision. */
export function taskDefinitionTarget(family: string, revision: number): string {
  return `ecs-task-definition:${family}:${revision}`;
}

/**
 * Scans each container's plaintext `environment` of one task definition revision (and the other places
 * secrets end up in: `logConfiguration.options`, `dockerLabels`, `command`, `entryPoint`). Each variable is
 * read as the line `NAME=value`, so the detector's rules (vendor formats, assignments, connection strings)
 * and its managed-secret matching apply; a variable (or log option) the detector finds nothing in is still a
 * finding when its name says secret (`DB_PASSWORD`, `API_KEY`...) and its value is not a placeholder, a
 * number, a boolean or a reference. `environmentFiles` (objects in S3) are noted, not read. Pure: no I/O.
 */
export function scanTaskDefinition(
  td: TaskDefinitionEnvironment,
  options: TaskDefinitionScanOptions,
): TaskDefinitionScan {
  const key = options.fingerprintKey ?? DEFAULT_FINGERPRINT_KEY;
  const target = taskDefinitionTarget(td.family, td.revision);
  const findings: TaskDefinitionFinding[] = [];
  const notes: TaskDefinitionNote[] = [];
  let variables = 0;
  for (const container of td.containers) {
    for (const file of container.environmentFiles) {
      notes.push({ kind: 'environment-file-not-scanned', container: container.name, ref: file.value });
    }
    variables += container.environment.length;
    for (const entry of entriesOf(container)) {
      const ref: TaskDefinitionRef = {
        taskDefinitionArn: td.taskDefinitionArn,
        family: td.family,
        revision: td.revision,
        container: container.name,
        field: entry.field,
        variable: entry.variable,
      };
      const location = { target, path: entry.path };
      let found: Finding[] = options.detector.scanText(entry.text, location);
      if (
        found.length === 0 &&
        entry.nameRule &&
        isSecretName(entry.variable) &&
        isSecretValue(entry.value)
      ) {
        const start = entry.text.length - entry.value.length;
        found = [
          {
            ruleId: SECRET_NAME_RULE_ID,
            title: SECRET_NAME_RULE_TITLE,
            severity: 'high',
            location: { ...location, line: 0, column: start + 1 },
            excerpt: excerptAround(entry.text, start, entry.text.length, entry.value),
            fingerprint: findingFingerprint(key, SECRET_NAME_RULE_ID, entry.value),
          },
        ];
      }
      for (const f of found) {
        findings.push({
          ...f,
          taskDefinition: ref,
          remedy: taskDefinitionRemedy(ref, f.managedSecret?.secretId),
        });
      }
    }
  }
  return {
    taskDefinitionArn: td.taskDefinitionArn,
    family: td.family,
    revision: td.revision,
    variables,
    findings,
    notes,
  };
}
