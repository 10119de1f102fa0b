import type {
  FingerprintSet,
  ManagedFingerprintStore,
  StoredStage,
} from '../../../../core/scanning/managed/ports';
import type { ManagedStage } from '../../../../core/scanning/managed/record';

/** The fingerprint store in memory, counting writes for the idempotency tests. */
export class MemoryFingerprintStore implements ManagedFingerprintStore {
  readonly items = new Map<string, StoredStage>();
  counter = 0;
  writes = 0;

  async stagesOf(secretId: string): Promise<StoredStage[]> {
    return [...this.items.values()].filter((s) => s.secretId === secretId);
  }
  async putStage(stage: StoredStage): Promise<void> {
    this.writes += 1;
    this.items.set(`${stage.secretId}\0${stage.stage}`, structuredClone(stage));
  }
  async deleteStage(secretId: string, stage: ManagedStage): Promise<void> {
    this.writes += 1;
    this.items.delete(`${secretId}\0${stage}`);
  }
  async bumpVersion(): Promise<number> {
    this.counter += 1;
    return this.counter;
  }
  async version(): Promise<number> {
    return this.counter;
  }
  async readAll(): Promise<FingerprintSet> {
    return { version: this.counter, stages: [...this.items.values()] };
  }
}
