import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A young-generation collection (scavenge) of the calling thread's V8 heap, on demand.
 *
 * Why: onnxruntime-node copies every output of a run into a new ArrayBuffer. A decoder step's
 * outputs (logits, the whole self-attention cache, the alignment heads' cross-attention rows:
 * 1–6 MB for a batch of 3 windows) are garbage a step later, but the JavaScript objects that own
 * them are a few hundred bytes, so the young generation fills slowly and V8 only collects them
 * once their off-heap bytes have grown by its external-memory soft limit (64 MB). Measured in a
 * worker's Whisper thread: up to ~40 MB of dead decoder outputs at the peak (bench/README.md,
 * "fifth round"). A scavenge of that young generation takes well under a millisecond, against
 * 20–50 ms per decoder step.
 *
 * V8 only hands out its collector with --expose-gc; when the process was not started with it,
 * the flag is set for a moment to build one context that has `gc`, then cleared again, so
 * that threads started later do not get a global `gc` from it. Returns false when no collector
 * could be had (the call is then a no-op).
 */

type Collector = (options: { type: 'minor' }) => void;

let collector: Collector | null | undefined;

export function collectYoungGeneration(): boolean {
  collector ??= exposedCollector();
  if (!collector) return false;
  collector({ type: 'minor' });
  return true;
}

function exposedCollector(): Collector | null {
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return exposed as Collector;
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    return typeof gc === 'function' ? (gc as Collector) : null;
  } catch {
    return null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
