// @ts-check
// The Gram worker thread, started by gram-worker.ts with Node's worker_threads (a plain ES module, so that it runs
// as it is from src/ under jest and from dist/, where the build copies it). It instantiates the SIMD kernel module
// on the shared memory it is given, then loops: wait for a job, run its kernel calls, signal it done. A job is a
// list of calls at control[address] (a byte address), control[words] float64 words long: [kernel index, argument
// count, arguments...] (addresses and sizes are exact in float64; jacobi_sweeps takes a float64 tolerance). A
// negative job number ends the loop. The control block's layout comes from gram-worker.ts through workerData.
import { workerData } from 'node:worker_threads';

/** @type {{ module: WebAssembly.Module; memory: WebAssembly.Memory; names: string[]; slots: Record<'job' | 'done' | 'address' | 'words' | 'ready' | 'failed', number>; controlWords: number }} */
const { module, memory, names, slots, controlWords } = workerData;
const control = new Int32Array(memory.buffer, 0, controlWords);

/** The kernels by index, or null where the module does not instantiate (the main thread throws a KernelModuleError). */
function instantiate() {
  try {
    const kernels = /** @type {Record<string, Function>} */ (new WebAssembly.Instance(module, { env: { memory } }).exports);
    return names.map((name) => kernels[name]);
  } catch {
    return null;
  }
}

/** @param {Function[]} run */
function serve(run) {
  let seen = 0;
  for (;;) {
    Atomics.wait(control, slots.job, seen);
    seen = Atomics.load(control, slots.job);
    if (seen < 0) return;
    try {
      const words = new Float64Array(memory.buffer);
      const start = control[slots.address] >>> 3;
      const end = start + control[slots.words];
      for (let at = start; at < end; at += 2 + words[at + 1]) {
        run[words[at]](...words.subarray(at + 2, at + 2 + words[at + 1]));
      }
    } catch {
      Atomics.store(control, slots.failed, 1);
    }
    Atomics.store(control, slots.done, seen);
    Atomics.notify(control, slots.done);
  }
}

const run = instantiate();
Atomics.store(control, slots.ready, run ? 1 : -1);
if (run) serve(run);
