import type { RotorError } from '../../errors';
import type { Detector, FileLocation } from '../types';
import type { ScanLimits } from './limits';
import type { OrderedFindings } from './ordered-findings';

/** Where a problem happened, as far as it is known. */
export type ProblemLocation = Partial<Omit<FileLocation, 'target'>>;

/** What the file walkers share: the detector, the limits, and where problems and counts go. */
export interface WalkContext {
  readonly detector: Detector;
  readonly limits: ScanLimits;
  /** Records a problem that did not stop the walk (a file over the limit, a broken inner archive). */
  report(error: RotorError, where: ProblemLocation): void;
  /** Counts a file handed to the detector. */
  countFile(): void;
  /**
   * Where findings go when the detector answers later (a DeferringDetector): the file's entry then returns no
   * findings itself, and the walk's owner takes them from here, in walk order, at its end.
   */
  readonly later?: OrderedFindings;
}
