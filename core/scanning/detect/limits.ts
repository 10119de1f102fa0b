/**
 * The bounds the detector works within. They are what makes memory bounded and chunk boundaries harmless:
 * a text is scanned in windows that own WINDOW_CHARS characters each, plus LEAD_CHARS of the previous window
 * (for lookbehinds and the excerpt before a secret) and TAIL_CHARS of the next (so that any match that starts
 * in the owned part, and its excerpt, fit whole). A match is reported by the one window that owns its start.
 */

/** The longest match (and so the longest secret) any rule may produce: a 4096-bit RSA key in PEM is ~3.3 KiB. */
export const MAX_MATCH_CHARS = 8192;

/** Characters of context kept on each side of a secret in an excerpt. */
export const CONTEXT_CHARS = 40;

/** Characters kept before a window's owned part: lookbehinds and the excerpt's left context. */
export const LEAD_CHARS = 256;

/** Characters read past a window's owned part: the longest match plus its lookahead and right context. */
export const TAIL_CHARS = MAX_MATCH_CHARS + 256;

/** Characters each window owns by default. Larger windows rescan less overlap; memory is ~2 bytes a char. */
export const WINDOW_CHARS = 256 * 1024;

/** Bytes examined at the start of a file to decide whether it is binary. */
export const SNIFF_BYTES = 8192;

/** Characters decoded at a time from a chunk, so that one huge chunk does not become one huge string. */
export const DECODE_SLICE_BYTES = 64 * 1024;

/** Findings kept per file before de-duplication; the rest are dropped (a file with more is reported anyway). */
export const MAX_FINDINGS_PER_FILE = 10_000;
