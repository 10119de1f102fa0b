// Writes the benchmark's generated OCI image to a folder and leaves it there, for detect-profile.ts and
// worker.ts runs that compare two versions of the tree on the same image.
// Run: npx tsx bench/scan/make-image.ts <dir> [MiB=200] [seed=1]
import { generateImage } from './image';

async function main(): Promise<void> {
  const [dir, mib = '200', seed = '1'] = process.argv.slice(2);
  if (dir === undefined) throw new Error('usage: make-image.ts <dir> [MiB] [seed]');
  const image = await generateImage(dir, { totalBytes: Number(mib) * 1024 ** 2, seed: Number(seed) });
  const files = image.layers.reduce((n, l) => n + l.files, 0);
  console.log(
    `${image.dir}: ${image.layers.length} layers, ${files} files, ${image.truth.length} planted secrets`,
  );
}

void main();
