/**
 * Runs a command's work so that it cannot end in silence. If the work waits on something that will never
 * come (a bug: a stream nobody ends), Node's event loop empties and the process exits with code 0, which a
 * CI gate reads as "no findings". Here that case says so on stderr and exits with 2 (could not do its job).
 */
export async function runToTheEnd<T>(
  work: () => Promise<T>,
  stderr: NodeJS.WritableStream = process.stderr,
): Promise<T> {
  let finished = false;
  const unfinished = (): void => {
    if (finished) return;
    finished = true;
    stderr.write('rotor: the command stopped before it finished (an internal error: please report it)\n');
    process.exitCode = 2;
  };
  process.once('beforeExit', unfinished);
  try {
    return await work();
  } finally {
    finished = true;
    process.off('beforeExit', unfinished);
  }
}
