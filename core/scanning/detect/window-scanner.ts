import type { Finding, FileLocation, Severity } from '../types';
import type { ManagedSecretIndex } from '../managed/managed-index';
import { acceptsSecret, secretOffset, type CompiledRule } from './compiled-rule';
import { findingFingerprint } from './fingerprint';
import { LEAD_CHARS, MAX_FINDINGS_PER_FILE, TAIL_CHARS } from './limits';
import type { KeywordPrefilter } from './prefilter';
import { excerptAround } from './redact';

/** What the detector shares across files: compiled rules, prefilter, managed index, fingerprint key. */
export interface DetectorCore {
  readonly rules: readonly CompiledRule[];
  readonly prefilter: KeywordPrefilter;
  /**
   * Per rule (by order): the prefilter ids of its keywords, and for a rule that is not anchored, its keywords
   * the prefilter does not hold (lowercase; short or non-ASCII), found with a plain search. A rule with
   * `present` runs when any of its keywords occurs in the window; an anchored one at its keywords' positions.
   */
  readonly keywords: ReadonlyArray<{ readonly ids: readonly number[]; readonly present?: readonly string[] }>;
  readonly managed?: ManagedSecretIndex;
  readonly fingerprintKey: string | Uint8Array;
  readonly windowChars: number;
}

/** A finding before overlaps between rules are resolved: the secret's absolute span and its priority. */
interface Candidate {
  readonly start: number;
  readonly end: number;
  readonly priority: number;
  readonly order: number;
  readonly finding: Finding;
}

/** Any character above U+00FF. */
const WIDE = /[\u0100-\uffff]/;

/** A match found in a window, before its line and column are known. */
type Pending = Omit<Candidate, 'finding'> & { make: (line: number, column: number) => Finding };

export const MANAGED_RULE_ID = 'managed-secret';
const MANAGED_PRIORITY = 1000;

/**
 * Scans one text pushed in pieces of any size, window by window (see limits.ts): memory stays within about
 * windowChars + LEAD_CHARS + TAIL_CHARS characters, and each match is reported by the one window owning its
 * start, so the findings do not depend on how the text was cut.
 */
export class WindowScanner {
  #buf = '';
  /** Absolute offset of #buf[0]. */
  #base = 0;
  /** Index in #buf where the part not yet scanned starts. */
  #ownedFrom = 0;
  /** 1-based line number at #ownedFrom, and absolute offset of the last newline before it (-1: none). */
  #line = 1;
  #lastNewline = -1;
  /** Per rule, the absolute offset where its next search starts (the end of its last match). */
  readonly #resume: number[];
  readonly #candidates: Candidate[] = [];
  readonly #activeRules: CompiledRule[];

  /**
   * @param configField the text is an image config field, not a file: per the contract, findings get line 0
   *   and the column is the 1-based offset in the whole text.
   */
  constructor(
    private readonly core: DetectorCore,
    private readonly location: FileLocation,
    private readonly configField = false,
  ) {
    this.#resume = core.rules.map(() => 0);
    this.#activeRules = core.rules.filter(
      (c) => c.rule.paths === undefined || c.rule.paths.test(location.path),
    );
  }

  /** Adds text; scans every window that is now complete. A long text is taken in slices to keep #buf small. */
  push(text: string): void {
    const step = this.core.windowChars + TAIL_CHARS;
    for (let at = 0; at < text.length; at += step) {
      this.#buf += at === 0 && text.length <= step ? text : text.slice(at, at + step);
      while (this.#buf.length - this.#ownedFrom >= this.core.windowChars + TAIL_CHARS)
        this.#scanWindow(false);
    }
  }

  /** Scans what is left and returns the findings, overlaps resolved, in order of position. */
  finish(): Finding[] {
    this.#scanWindow(true);
    return resolveOverlaps(this.#candidates);
  }

  #scanWindow(final: boolean): void {
    const from = this.#ownedFrom;
    const to = final ? this.#buf.length : from + this.core.windowChars;
    // The window: LEAD_CHARS before `from` (kept from the last window), the owned part, TAIL_CHARS after.
    const text = flatten(
      final || this.#buf.length === to + TAIL_CHARS ? this.#buf : this.#buf.slice(0, to + TAIL_CHARS),
    );
    const found: Pending[] = [];

    const hits = this.core.prefilter.occurrences(text, 0, text.length, from, to);
    let lower: string | undefined;
    for (const compiled of this.#activeRules) {
      const keywords = this.core.keywords[compiled.order]!;
      if (keywords.present === undefined) {
        const at = keywordPositions(keywords.ids, hits.positions);
        if (at !== undefined) this.#runAnchored(compiled, compiled.sticky!, at, text, from, to, found);
        continue;
      }
      if (keywords.ids.some((id) => hits.positions[id] !== undefined)) {
        this.#runRule(compiled, text, from, to, found);
        continue;
      }
      if (keywords.present.length === 0) continue;
      lower ??= text.toLowerCase();
      if (keywords.present.some((k) => lower!.includes(k))) this.#runRule(compiled, text, from, to, found);
    }
    if (this.core.managed !== undefined && this.core.managed.size > 0) {
      for (const m of this.core.managed.find(text, from, to, final)) {
        const secret = text.slice(m.start, m.end);
        found.push({
          start: this.#base + m.start,
          end: this.#base + m.end,
          priority: MANAGED_PRIORITY,
          order: -1,
          make: (line, column) => ({
            ruleId: MANAGED_RULE_ID,
            title: `Secret managed by Rotor (${m.stage})`,
            severity: 'critical',
            location: { ...this.location, line, column },
            excerpt: excerptAround(text, m.start, m.end, secret),
            fingerprint: findingFingerprint(this.core.fingerprintKey, MANAGED_RULE_ID, secret),
            managedSecret: { secretId: m.secretId, stage: m.stage },
          }),
        });
      }
    }

    // Line and column of each secret start, counting newlines forward from the owned part's start.
    found.sort((a, b) => a.start - b.start);
    let line = this.#line;
    let lastNewline = this.#lastNewline;
    let cursor = from;
    for (const f of found) {
      const rel = f.start - this.#base;
      for (let nl = text.indexOf('\n', cursor); nl !== -1 && nl < rel; nl = text.indexOf('\n', nl + 1)) {
        line++;
        lastNewline = this.#base + nl;
      }
      cursor = Math.max(cursor, rel);
      if (this.#candidates.length < MAX_FINDINGS_PER_FILE) {
        const finding = this.configField ? f.make(0, f.start + 1) : f.make(line, f.start - lastNewline);
        this.#candidates.push({ ...f, finding });
      }
    }

    // Advance the line counter over the owned part (the prefilter's pass counted its newlines), then keep
    // LEAD_CHARS of it for the next window.
    // A character above U+00FF whose low byte is 0x0A would pass for a newline in that count: such texts
    // (V8 stores them two bytes a character; the test is instant on the others) are counted here instead.
    let newlines = hits.newlines;
    if (WIDE.test(text)) {
      newlines = 0;
      for (let nl = text.indexOf('\n', from); nl !== -1 && nl < to; nl = text.indexOf('\n', nl + 1))
        newlines++;
    }
    this.#line += newlines;
    if (newlines > 0) this.#lastNewline = this.#base + text.lastIndexOf('\n', to - 1);
    const keepFrom = Math.max(0, to - LEAD_CHARS);
    this.#buf = final ? '' : this.#buf.slice(keepFrom);
    this.#base += keepFrom;
    this.#ownedFrom = to - keepFrom;
  }

  #runRule(compiled: CompiledRule, text: string, from: number, to: number, found: Pending[]): void {
    const regex = compiled.regex;
    regex.lastIndex = Math.max(from, this.#resume[compiled.order]! - this.#base);
    for (let m = regex.exec(text); m !== null && m.index < to; m = regex.exec(text)) {
      regex.lastIndex = this.#accept(compiled, m, text, found);
    }
  }

  /**
   * The same matches as #runRule, for a rule whose every match starts within its anchor of a keyword: the
   * pattern is tried (sticky) only at those positions, in ascending order, each position at most once. A
   * search finds the leftmost match, which starts at one of these positions, and a sticky match there is the
   * same match; so the findings are identical while the cost follows the keywords, not the window's length.
   */
  #runAnchored(
    compiled: CompiledRule,
    sticky: RegExp,
    keywordsAt: ArrayLike<number>,
    text: string,
    from: number,
    to: number,
    found: Pending[],
  ): void {
    const { from: lead, to: lag } = compiled.rule.anchor!;
    const first = compiled.firstChars;
    const firstFew = compiled.firstFew;
    const notAfter = compiled.notAfter;
    // With one or two possible first characters (`<`, `aA`): the next position holding one, found by
    // indexOf (native, fast on long gaps) and remembered, so each part of the window is searched once.
    const nextAt = firstFew === undefined ? undefined : firstFew.map(() => -1);
    let next = Math.max(from, this.#resume[compiled.order]! - this.#base);
    for (let k = 0; k < keywordsAt.length; k++) {
      const q = keywordsAt[k]!;
      const last = Math.min(q + lag, to - 1);
      for (let p = Math.max(q + lead, next); p <= last; p = Math.max(p + 1, next)) {
        if (nextAt !== undefined) {
          let at = text.length;
          for (let i = 0; i < nextAt.length; i++) {
            if (nextAt[i]! < p) {
              const found = text.indexOf(firstFew![i]!, p);
              nextAt[i] = found === -1 ? text.length : found;
            }
            at = Math.min(at, nextAt[i]!);
          }
          if (at > last) {
            next = last + 1;
            break;
          }
          p = at;
        } else if (first !== undefined) {
          const c = text.charCodeAt(p);
          if (c < 128 && first[c] === 0) {
            next = p + 1;
            continue;
          }
        }
        if (notAfter !== undefined && p > 0) {
          const before = text.charCodeAt(p - 1);
          if (before < 128 && notAfter[before] === 1) {
            next = p + 1;
            continue;
          }
        }
        sticky.lastIndex = p;
        const m = sticky.exec(text);
        next = m === null ? p + 1 : this.#accept(compiled, m, text, found);
      }
    }
  }

  /** The same match with group offsets (the `d` flag), found again at its position. */
  #locate(compiled: CompiledRule, m: RegExpExecArray, text: string): RegExpExecArray {
    if (compiled.rule.secretGroup === 0) return m;
    compiled.located.lastIndex = m.index;
    return compiled.located.exec(text) ?? m;
  }

  /** Records a match (if its secret passes the rule's filters); returns where the next search starts. */
  #accept(compiled: CompiledRule, m: RegExpExecArray, text: string, found: Pending[]): number {
    const rule = compiled.rule;
    const matchEnd = m.index + Math.max(m[0].length, 1);
    this.#resume[compiled.order] = this.#base + matchEnd;
    const secret = m[rule.secretGroup];
    if (secret === undefined || !acceptsSecret(rule, secret, m)) return matchEnd;
    const start = secretOffset(this.#locate(compiled, m, text), rule.secretGroup);
    const severity: Severity = rule.severity;
    found.push({
      start: this.#base + start,
      end: this.#base + start + secret.length,
      priority: compiled.priority,
      order: compiled.order,
      make: (line, column) => ({
        ruleId: rule.id,
        title: rule.title,
        severity,
        location: { ...this.location, line, column },
        excerpt: excerptAround(text, start, start + secret.length, secret),
        fingerprint: findingFingerprint(
          this.core.fingerprintKey,
          rule.id,
          canonicalSecret(rule.kind, secret),
        ),
      }),
    });
    return matchEnd;
  }
}

/** The ascending start positions of any of these keywords; undefined when none occurs. */
function keywordPositions(
  ids: readonly number[],
  positions: ReadonlyArray<readonly number[] | undefined>,
): ArrayLike<number> | undefined {
  let single: readonly number[] | undefined;
  let total = 0;
  let lists = 0;
  for (const id of ids) {
    const list = positions[id];
    if (list === undefined) continue;
    single = list;
    total += list.length;
    lists++;
  }
  if (lists <= 1) return single;
  // Several keywords: one typed array, sorted natively (numeric order, no comparator call).
  const merged = new Int32Array(total);
  let at = 0;
  for (const id of ids) {
    const list = positions[id];
    if (list === undefined) continue;
    merged.set(list, at);
    at += list.length;
  }
  return merged.sort();
}

/**
 * The form of a secret that is fingerprinted: a key block is the same key whether its lines end in `\n`,
 * `\r\n` or JSON's escaped `\\n`, so whitespace and escapes are dropped before hashing.
 */
function canonicalSecret(kind: string, secret: string): string {
  return kind === 'private-key' ? secret.replace(/\\[nr]|\s/g, '') : secret;
}

/**
 * Makes V8 store a string contiguously. Appending pieces builds a rope, on which every charCodeAt walks the
 * tree; one conversion to a number flattens it in place, which the prefilter's per-character loop needs.
 */
function flatten(text: string): string {
  void Number(text);
  return text;
}

/**
 * Where several rules found overlapping secrets, keeps the most specific (highest priority, then the longest
 * secret, then the earlier rule); findings that do not overlap are all kept.
 */
export function resolveOverlaps(candidates: readonly Candidate[]): Finding[] {
  const byStart = [...candidates].sort((a, b) => a.start - b.start || a.order - b.order);
  const kept: Candidate[] = [];
  // Overlaps only matter within a cluster of spans that overlap one another: resolve cluster by cluster.
  for (let i = 0; i < byStart.length;) {
    let j = i + 1;
    let clusterEnd = byStart[i]!.end;
    while (j < byStart.length && byStart[j]!.start < clusterEnd)
      clusterEnd = Math.max(clusterEnd, byStart[j++]!.end);
    if (j === i + 1) kept.push(byStart[i]!);
    else kept.push(...resolveCluster(byStart.slice(i, j)));
    i = j;
  }
  return kept.sort((a, b) => a.start - b.start || a.order - b.order).map((c) => c.finding);
}

function resolveCluster(cluster: Candidate[]): Candidate[] {
  const ranked = cluster.sort(
    (a, b) =>
      b.priority - a.priority ||
      b.end - b.start - (a.end - a.start) ||
      a.order - b.order ||
      a.start - b.start,
  );
  const kept: Candidate[] = [];
  for (const c of ranked) if (!kept.some((k) => k.start < c.end && c.start < k.end)) kept.push(c);
  return kept;
}
