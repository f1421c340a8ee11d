/**
 * Jest environment for tests that run real ONNX models.
 *
 * Jest runs each test file in its own V8 context, with its own Float32Array, BigInt64Array, …
 * onnxruntime-node builds output tensors from typed arrays of the main context, and
 * onnxruntime-common (loaded inside the test context) rejects them with "A float32 tensor's data
 * must be type of Float32Array". Sharing the main context's typed-array constructors makes both
 * sides agree. Select it per file with the docblock
 * `@jest-environment ./packages/ml/jest-environment.cjs` (or as the project's testEnvironment).
 *
 * `Math` is shared too: global lookups inside a vm context are slow, and transformers.js' tensor
 * helpers call Math.floor in hot loops (word timestamps ran ~25% faster with it shared). CPU-heavy
 * JavaScript is still ~3× slower under Jest than in plain Node; production runs are unaffected.
 */
const { TestEnvironment } = require('jest-environment-node');

const shared = [
  'ArrayBuffer',
  'SharedArrayBuffer',
  'DataView',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float16Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'Math',
];

class OnnxTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of shared) {
      if (name in globalThis) this.global[name] = globalThis[name];
    }
  }
}

module.exports = OnnxTestEnvironment;
