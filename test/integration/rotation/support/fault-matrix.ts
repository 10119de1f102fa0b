import { inspect } from 'node:util';
import {
  abandonRotation,
  createSecret,
  finishSecret,
  setSecret,
  testSecret,
  ROTATION_STEPS,
  type RotationDeps,
} from '../../../../core/rotation/contract';
import type { RotationStep } from '../../../../core/rotation/errors';
import { AWSCURRENT, AWSPENDING, AWSPREVIOUS, ROTOR_ABANDONED } from '../../../../core/rotation/ports';
import type { RotatorHarness } from '../../../unit/rotation/support/rotator-contract';
import { CapturingLog } from '../../../unit/rotation/support/token-rotator';

const stepFns = { createSecret, setSecret, testSecret, finishSecret } as const;

/** One row of the printed matrix. */
export interface MatrixRow {
  readonly target: string;
  readonly fault: string;
  readonly step: string;
  /** The error class the fault produced, or `-` when the step did not fail (a duplicate, a crash between steps). */
  readonly error: string;
  readonly recovered: boolean;
  readonly currentLogsIn: boolean;
}

/** What a fault case gets: the harness, a token, and helpers to run steps and record errors. */
export interface CaseContext {
  readonly h: RotatorHarness;
  readonly deps: RotationDeps;
  /** Gives up the rotation (abandonRotation) and starts a new one with a new token. */
  restart(): Promise<void>;
  step(name: RotationStep): Promise<void>;
  /** Runs a step that must fail; returns the error's class name. */
  expectFailure(name: RotationStep): Promise<string>;
  /** Runs the steps from `from` (inclusive) to the end. */
  finishFrom(from: RotationStep): Promise<void>;
  /** Runs the steps before `until`. */
  runUntil(until: RotationStep): Promise<void>;
}

/** A fault case: plays the fault and the recovery; returns the error class it provoked, or `-`. */
export interface FaultCase {
  readonly fault: string;
  readonly step: RotationStep | '-';
  readonly play: (ctx: CaseContext) => Promise<string>;
  /** Only for harnesses that can do it. */
  readonly needs?: 'reachability' | 'drift';
}

/** Every fault of the matrix: crashes before and after each step, duplicates, outages, throttling, drift. */
export function faultCases(): FaultCase[] {
  const cases: FaultCase[] = [];
  for (const step of ROTATION_STEPS) {
    cases.push({
      fault: 'crash before the step, retry',
      step,
      play: async (ctx) => {
        await ctx.runUntil(step);
        await ctx.finishFrom(step);
        return '-';
      },
    });
    cases.push({
      fault: 'crash after the step, retry with the same token',
      step,
      play: async (ctx) => {
        await ctx.runUntil(step);
        await ctx.step(step);
        // The invocation died before reporting: the caller runs the same step again.
        await ctx.finishFrom(step);
        return '-';
      },
    });
    cases.push({
      fault: 'duplicate invocation',
      step,
      play: async (ctx) => {
        await ctx.runUntil(step);
        await ctx.step(step);
        await ctx.step(step);
        const next = ROTATION_STEPS[ROTATION_STEPS.indexOf(step) + 1];
        if (next !== undefined) await ctx.finishFrom(next);
        return '-';
      },
    });
    cases.push({
      fault: 'Secrets Manager throttles',
      step,
      play: async (ctx) => {
        await ctx.runUntil(step);
        ctx.h.store.throttle(1);
        const error = await ctx.expectFailure(step);
        await ctx.finishFrom(step);
        return error;
      },
    });
  }
  cases.push({
    fault: 'crash inside the step (AWSCURRENT moved, AWSPENDING not yet removed)',
    step: 'finishSecret',
    play: async (ctx) => {
      await ctx.runUntil('finishSecret');
      ctx.h.store.inject({
        operations: ['updateVersionStage'],
        skip: 1,
        times: 1,
        error: () => Object.assign(new Error('simulated crash'), { name: 'SimulatedCrash' }),
      });
      const error = await ctx.expectFailure('finishSecret');
      await ctx.finishFrom('finishSecret');
      return error;
    },
  });
  for (const step of ['setSecret', 'testSecret'] as const) {
    cases.push({
      fault: 'database unreachable (server stopped)',
      step,
      needs: 'reachability',
      play: async (ctx) => {
        await ctx.runUntil(step);
        await ctx.h.setReachable!(false);
        let error: string;
        try {
          error = await ctx.expectFailure(step);
        } finally {
          await ctx.h.setReachable!(true);
        }
        await ctx.finishFrom(step);
        return error;
      },
    });
  }
  cases.push({
    fault: 'rotation given up after the step (abandonRotation), new token',
    step: 'setSecret',
    play: async (ctx) => {
      await ctx.runUntil('testSecret');
      await ctx.restart();
      await ctx.finishFrom('createSecret');
      return '-';
    },
  });
  cases.push({
    fault: 'password drift (changed out of band), then restored',
    step: 'setSecret',
    needs: 'drift',
    play: async (ctx) => {
      const stored = ctx.h.store.valueAt(ctx.h.secretId, AWSCURRENT)!;
      await ctx.h.drift!();
      await ctx.runUntil('setSecret');
      const error = await ctx.expectFailure('setSecret');
      await ctx.h.restore!(stored);
      await ctx.finishFrom('setSecret');
      return error;
    },
  });
  return cases;
}

/**
 * Runs every fault case on a fresh harness and checks that afterwards the rotation completed: AWSCURRENT
 * is the token's version and logs in, AWSPREVIOUS is the old version, AWSPENDING and ROTOR_ABANDONED
 * are gone. Also collects
 * every log line and error, for the no-secret check.
 */
export async function runFaultCase(
  target: string,
  fault: FaultCase,
  makeHarness: () => Promise<RotatorHarness>,
  sink: { rows: MatrixRow[]; texts: string[]; secrets: Set<string> },
): Promise<MatrixRow> {
  const h = await makeHarness();
  const log = new CapturingLog();
  const deps: RotationDeps = { store: h.store, rotatorFor: () => h.rotator, log };
  const oldVersion = h.store.versionWith(h.secretId, AWSCURRENT)!;
  sink.secrets.add(JSON.parse(h.store.valueAt(h.secretId, AWSCURRENT)!).password);
  let token = h.store.startRotation(h.secretId);
  const run = (name: RotationStep) =>
    stepFns[name]({ secretId: h.secretId, token }, deps).then(() => undefined);
  const ctx: CaseContext = {
    h,
    deps,
    async restart() {
      await abandonRotation({ secretId: h.secretId, token }, deps);
      token = h.store.startRotation(h.secretId);
    },
    step: run,
    async expectFailure(name) {
      const error = await run(name).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (error === undefined) throw new Error(`${fault.fault}: ${name} did not fail`);
      sink.texts.push(`${String(error)}\n${inspect(error, { depth: 8 })}`);
      return (error as Error).name;
    },
    async finishFrom(from) {
      for (const name of ROTATION_STEPS.slice(ROTATION_STEPS.indexOf(from))) await run(name);
    },
    async runUntil(until) {
      for (const name of ROTATION_STEPS.slice(0, ROTATION_STEPS.indexOf(until))) {
        await run(name);
        if (name === 'createSecret')
          sink.secrets.add(JSON.parse(h.store.valueAt(h.secretId, AWSPENDING)!).password);
      }
    },
  };
  const error = await fault.play(ctx);
  const current = h.store.valueAt(h.secretId, AWSCURRENT)!;
  sink.secrets.add(JSON.parse(current).password);
  const recovered =
    h.store.versionWith(h.secretId, AWSCURRENT) === token &&
    h.store.versionWith(h.secretId, AWSPREVIOUS) === oldVersion &&
    h.store.versionWith(h.secretId, AWSPENDING) === undefined &&
    h.store.versionWith(h.secretId, ROTOR_ABANDONED) === undefined;
  const row = {
    target,
    fault: fault.fault,
    step: fault.step,
    error,
    recovered,
    currentLogsIn: await h.accepts(current),
  };
  sink.rows.push(row);
  sink.texts.push(...log.lines);
  await h.close?.();
  return row;
}

/** The matrix as a fixed-width text table. */
export function formatMatrix(rows: readonly MatrixRow[]): string {
  const header = ['target', 'step', 'fault', 'error raised', 'completed', 'AWSCURRENT logs in'];
  const lines = rows.map((r) => [
    r.target,
    r.step,
    r.fault,
    r.error,
    r.recovered ? 'yes' : 'NO',
    r.currentLogsIn ? 'yes' : 'NO',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [format(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(format)].join(
    '\n',
  );
}
