import type { ScanProgress } from '../core/scanning/image/scan';

/**
 * A one-line progress bar on stderr, only on a terminal (quiet when piped or in CI): layers and bytes; for a
 * folder, whose size is not known in advance, a count of files and bytes. Redraws at most ten times a second.
 */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): {
  update(p: ScanProgress): void;
  done(): void;
} {
  if (!stream.isTTY) return { update: () => undefined, done: () => undefined };
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const now = Date.now();
      // The last layer's update is always drawn, so the bar ends full.
      const lastLayer = p.layersTotal > 0 && p.layersDone === p.layersTotal;
      if (now - last < 100 && !lastLayer) return;
      last = now;
      if (p.files !== undefined) {
        stream.write(`\r${p.files} files  ${mb(p.bytesRead)} read `);
        drawn = true;
        return;
      }
      const fraction =
        p.bytesTotal > 0
          ? Math.min(1, p.bytesRead / p.bytesTotal)
          : p.layersTotal
            ? p.layersDone / p.layersTotal
            : 0;
      const width = 24;
      const filled = Math.round(fraction * width);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      stream.write(
        `\r${bar} ${p.layersDone}/${p.layersTotal} layers  ${mb(p.bytesRead)}/${mb(p.bytesTotal)} read  ${mb(p.bytesUncompressed)} scanned `,
      );
      drawn = true;
    },
    done() {
      if (drawn) stream.write('\r\u001b[2K');
    },
  };
}

function mb(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`;
}
