import { defaultWorkers } from '../../../cli/default-workers';

describe('rotor scan: worker threads when --workers is not given', () => {
  it('detects in the calling thread on one core', () => {
    expect(defaultWorkers(1)).toBe(0);
  });

  it('leaves one core to the main thread (reading, gunzip, tar)', () => {
    expect(defaultWorkers(2)).toBe(1);
    expect(defaultWorkers(3)).toBe(2);
    expect(defaultWorkers(4)).toBe(3);
  });

  it('stops at three, which the one main thread can feed', () => {
    expect(defaultWorkers(16)).toBe(3);
  });
});
