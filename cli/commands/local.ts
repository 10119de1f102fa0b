import { Command } from 'commander';
import { runLocal } from '../../local/run';
import { bold, createOutput, green, red } from '../output';

/** `rotor local`: the whole pipeline on this machine, on embedded stand-ins for AWS. */
export function localCommand(): Command {
  return new Command('local')
    .description(
      'run Rotor on this machine: synthesize the stack, start local stand-ins for AWS, and run the pipeline on them',
    )
    .option('--json', 'print the steps as JSON at the end')
    .option('--verbose', "show the functions' own logs")
    .option('--keep-assembly', 'keep the synthesized cloud assembly folder')
    .action(async (options: { json?: boolean; verbose?: boolean; keepAssembly?: boolean }) => {
      const out = createOutput(Boolean(options.json));
      out.line(bold('Rotor local: the pipeline on this machine, nothing sent to AWS\n'));
      const started = performance.now();
      const result = await runLocal({
        print: (line) => out.line(line),
        verbose: options.verbose,
        keepAssembly: options.keepAssembly,
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      const failed = result.steps.filter((s) => !s.ok);
      out.line(
        result.ok
          ? green(`\nDone in ${seconds} s: ${result.steps.length} steps, all succeeded.`)
          : red(`\nStopped after ${seconds} s: ${failed.map((s) => `${s.name}: ${s.detail}`).join('; ')}`),
      );
      out.result({
        ok: result.ok,
        seconds: Number(seconds),
        steps: result.steps.map(({ data: _data, ...step }) => step),
      });
      if (!result.ok) process.exitCode = 1;
    });
}
