// A DetectorPool worker whose detector fails on any file holding the bytes TRIGGER-DETECTOR-FAILURE: the
// real worker, with TextDecoder made to throw there, so the pool's error path can be tested.
const Real = globalThis.TextDecoder;
globalThis.TextDecoder = class extends Real {
  decode(input, options) {
    if (
      input !== undefined &&
      Buffer.from(input.buffer, input.byteOffset, input.byteLength).includes('TRIGGER-DETECTOR-FAILURE')
    )
      throw new RangeError('decoder failure for the test');
    return super.decode(input, options);
  }
};
require('tsx/cjs/api').register();
require('../../../../adapters/detector-pool/worker.ts');
