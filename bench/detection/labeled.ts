/** One labeled text of a third-party corpus. */
export interface Labeled {
  readonly source: 'gitleaks' | 'detect-secrets' | 'trufflehog';
  /** The third party's rule, plugin or detector name. */
  readonly group: string;
  readonly text: string;
  readonly secret: boolean;
  /** A file path, when the sample is tied to one (gitleaks' path rules). */
  readonly path?: string;
}

/** The git dir of a third-party repository, from the environment variable that names it (a clone or a bare mirror). */
export function sourceGitDir(variable: string): string {
  const dir = process.env[variable];
  if (!dir)
    throw new Error(
      `${variable} is not set: point it at a clone of the corpus's repository (see bench/detection/README.md)`,
    );
  return dir;
}
