import { progressBar } from '../../../cli/progress';

/** A stream that records what is written, a terminal or not. */
function stream(isTTY: boolean) {
  const written: string[] = [];
  return {
    written,
    stream: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream,
  };
}

describe('progressBar', () => {
  it('draws layers and bytes for an image, and clears its line when done', () => {
    const out = stream(true);
    const bar = progressBar(out.stream);
    bar.update({
      layersTotal: 2,
      layersDone: 1,
      bytesTotal: 4 << 20,
      bytesRead: 2 << 20,
      bytesUncompressed: 8 << 20,
    });
    bar.done();
    expect(out.written[0]).toBe(
      `\r${'█'.repeat(12)}${'░'.repeat(12)} 1/2 layers  2.0 MB/4.0 MB read  8.0 MB scanned `,
    );
    expect(out.written[1]).toBe('\r\u001b[2K');
  });

  it('counts files and bytes for a folder, whose total is not known in advance', () => {
    const out = stream(true);
    const bar = progressBar(out.stream);
    bar.update({
      layersTotal: 0,
      layersDone: 0,
      bytesTotal: 0,
      bytesRead: 3 << 20,
      bytesUncompressed: 3 << 20,
      files: 120,
    });
    expect(out.written).toEqual(['\r120 files  3.0 MB read ']);
  });

  it('redraws at most ten times a second and says nothing off a terminal', () => {
    const tty = stream(true);
    const bar = progressBar(tty.stream);
    const p = { layersTotal: 0, layersDone: 0, bytesTotal: 0, bytesRead: 1, bytesUncompressed: 1, files: 1 };
    for (let i = 0; i < 50; i++) bar.update({ ...p, files: i });
    expect(tty.written.length).toBe(1);
    const piped = stream(false);
    const quiet = progressBar(piped.stream);
    quiet.update(p);
    quiet.done();
    expect(piped.written).toEqual([]);
  });
});
