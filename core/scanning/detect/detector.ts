import type { Detector, FileLocation, Finding, ScanFile } from '../types';
import { BUILTIN_RULES } from '../rules/builtin';
import type { Rule } from '../rules/rule';
import { ManagedSecretIndex } from '../managed/managed-index';
import type { ManagedSecretRecord } from '../managed/record';
import { looksBinary } from './binary';
import { compileRules, type CompiledRule } from './compiled-rule';
import { InvalidDetectorConfigError } from './errors';
import { DEFAULT_FINGERPRINT_KEY } from './fingerprint';
import { DECODE_SLICE_BYTES, MAX_MATCH_CHARS, SNIFF_BYTES, WINDOW_CHARS } from './limits';
import { KeywordPrefilter } from './prefilter';
import { WindowScanner, type DetectorCore } from './window-scanner';

/** Options of createDetector. */
export interface DetectorOptions {
  /** The rules to run. @default BUILTIN_RULES */
  readonly rules?: readonly Rule[];
  /** Managed secrets to recognise: an index, or records plus the HMAC key they were made with. */
  readonly managed?:
    | ManagedSecretIndex
    | { readonly records: readonly ManagedSecretRecord[]; readonly key: string | Uint8Array };
  /** Key of the findings' HMAC fingerprints. @default DEFAULT_FINGERPRINT_KEY (public: de-duplication only) */
  readonly fingerprintKey?: string | Uint8Array;
  /** Characters each scan window owns; smaller saves memory, larger rescans less overlap. @default WINDOW_CHARS */
  readonly windowChars?: number;
}

/**
 * Creates the detector: rules as data, a keyword prefilter, managed-secret matching, censored excerpts and
 * keyed fingerprints. Safe to share across files and concurrent scans.
 *
 * @example
 *   const detector = createDetector({ fingerprintKey, managed: { records, key } });
 *   const findings = await detector.scanFile({ location: { path: 'app/.env' }, chunks });
 */
export function createDetector(options: DetectorOptions = {}): Detector {
  return buildDetector(options, true);
}

/**
 * The same detector for files a caller has already found not to be binary with the same check
 * (`looksBinary` on the first SNIFF_BYTES, as DetectorPool does before a file crosses threads): it skips
 * that check, which would give the same answer. Handed a binary, it scans it as text (findings may be noise).
 */
export function createTextDetector(options: DetectorOptions = {}): Detector {
  return buildDetector(options, false);
}

function buildDetector(options: DetectorOptions, sniff: boolean): Detector {
  const rules = compileRules(options.rules ?? BUILTIN_RULES);
  const windowChars = options.windowChars ?? WINDOW_CHARS;
  if (!Number.isInteger(windowChars) || windowChars < 1) {
    throw new InvalidDetectorConfigError('windowChars must be a positive integer', {
      context: { windowChars },
    });
  }
  const managed =
    options.managed === undefined || options.managed instanceof ManagedSecretIndex
      ? options.managed
      : new ManagedSecretIndex(options.managed.records, options.managed.key);
  if (managed !== undefined && managed.maxLength > MAX_MATCH_CHARS) {
    throw new InvalidDetectorConfigError('a managed secret is longer than the detector can match', {
      context: { maxLength: managed.maxLength },
    });
  }
  // Anchored rules need where their keywords occur: the automaton's pass gives it. The other rules need only
  // whether one occurs: the automaton answers that too, except for keywords of one or two characters (`:`,
  // `nd`), which would make it report an occurrence every few characters; a native search finds those at once.
  const ascii = (k: string) => [...k].every((ch) => ch.charCodeAt(0) < 128);
  const anchored = (r: (typeof rules)[number]) => r.sticky !== undefined && r.rule.keywords.every(ascii);
  const automaton = (k: string) => ascii(k) && k.length > 2;
  const prefilter = new KeywordPrefilter(
    rules.flatMap((r) => (anchored(r) ? r.rule.keywords : r.rule.keywords.filter(automaton))),
    { notAfter: keywordsNotAfter(rules, anchored) },
  );
  const keywords = rules.map((r) =>
    anchored(r)
      ? { ids: r.rule.keywords.map((k) => prefilter.idOf(k)) }
      : {
          ids: r.rule.keywords.filter(automaton).map((k) => prefilter.idOf(k)),
          present: r.rule.keywords.filter((k) => !automaton(k)).map((k) => k.toLowerCase()),
        },
  );
  const core: DetectorCore = {
    rules,
    prefilter,
    keywords,
    managed,
    fingerprintKey: options.fingerprintKey ?? DEFAULT_FINGERPRINT_KEY,
    windowChars,
  };

  return {
    async scanFile(file: ScanFile): Promise<Finding[]> {
      const scanner = new WindowScanner(core, file.location);
      const decoder = new TextDecoder('utf-8', { fatal: false });
      // A file of at most one window's bytes (most files) is held and decoded in one call, which is faster
      // than streaming (Node's one-shot UTF-8 decode is SIMD; the streaming one is not) and pushes one flat
      // string. A larger file is decoded in slices as it arrives, so memory stays bounded whatever its size.
      // The first SNIFF_BYTES are held either way until the binary check can be made.
      let held: Uint8Array[] = [];
      let heldBytes = 0;
      let sniffed = !sniff;
      let streaming = false;
      const feed = (bytes: Uint8Array) => {
        for (let at = 0; at < bytes.length; at += DECODE_SLICE_BYTES) {
          scanner.push(decoder.decode(bytes.subarray(at, at + DECODE_SLICE_BYTES), { stream: true }));
        }
      };
      for await (const chunk of file.chunks) {
        if (streaming) {
          feed(chunk);
          continue;
        }
        held.push(chunk);
        heldBytes += chunk.length;
        if (!sniffed && heldBytes >= SNIFF_BYTES) {
          const head = concat(held);
          if (looksBinary(head.subarray(0, SNIFF_BYTES), false)) return [];
          sniffed = true;
          held = [head];
        }
        if (sniffed && heldBytes > windowChars) {
          streaming = true;
          for (const part of held) feed(part);
          held = [];
        }
      }
      if (streaming) {
        scanner.push(decoder.decode());
        return scanner.finish();
      }
      const whole = concat(held);
      if (!sniffed && looksBinary(whole, true)) return [];
      scanner.push(decoder.decode(whole));
      return scanner.finish();
    },

    scanText(text: string, location: FileLocation): Finding[] {
      const scanner = new WindowScanner(core, location, true);
      scanner.push(text);
      return scanner.finish();
    },
  };
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  if (parts.length === 0) return new Uint8Array(0);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The occurrences no rule can use, by keyword: where every rule with the keyword is tried only at the keyword
 * itself (anchor 0 to 0) and refuses to start after certain characters (a leading lookbehind), an occurrence
 * after a character all of them refuse is dropped by the prefilter, before any bookkeeping (the Discord bot
 * token rule's keywords `nt`, `nd`, `od`... occur a million times in the benchmark's 108 MiB of text, nearly
 * all inside words).
 */
function keywordsNotAfter(
  rules: readonly CompiledRule[],
  anchored: (r: CompiledRule) => boolean,
): Map<string, Uint8Array> {
  const tables = new Map<string, Uint8Array | null>();
  for (const r of rules) {
    const atKeyword = anchored(r) && r.rule.anchor!.from === 0 && r.rule.anchor!.to === 0;
    for (const keyword of r.rule.keywords.map((k) => k.toLowerCase())) {
      const seen = tables.get(keyword);
      if (seen === null) continue;
      if (!atKeyword || r.notAfter === undefined) tables.set(keyword, null);
      else if (seen === undefined) tables.set(keyword, Uint8Array.from(r.notAfter));
      else for (let c = 0; c < 128; c++) seen[c] = seen[c]! & r.notAfter[c]!;
    }
  }
  const usable = new Map<string, Uint8Array>();
  for (const [keyword, table] of tables) if (table !== null && table.includes(1)) usable.set(keyword, table);
  return usable;
}
