import { KernelModuleError } from '../errors';
import { SHARED_MEMORY_MAX_PAGES } from '../simd/kernel-abi';
import { kernelModule } from '../simd/simd-instance';
import { BumpAllocator } from './bump-allocator';
import { loadColumns, storeColumns, sweepArguments, sweepStride } from './heap-jacobi';
import type { KernelHeap } from './heap';
import { type Factor, type GramLayout, type GramSpace, factorBytes, gramWork, stackedGrams } from './stacked-grams';

/**
 * A second thread for the Grams (in Node, where `process.getBuiltinModule` gives worker_threads synchronously): the
 * kernels hand it the B side's Grams while they compute the A side's themselves, which takes the Gram phase, a third
 * of a step, down by about half. The worker only runs kernel calls planned here by {@link stackedGrams}, on copies of
 * the factors in a shared memory; the results are bit-identical to computing them on one thread. Browsers (no
 * blocking wait on the main thread) and older Node stay on one thread.
 */

/** The kernels the worker runs, by index in the job words. */
const WORKER_KERNELS = ['pack_f64', 'pack_rows_f64', 'pack_columns_f64', 'gram_f64', 'jacobi_sweeps'] as const;
/** Below this many multiply-adds the hand-over (a copy, two wake-ups) costs more than it saves. */
const MIN_WORK = 1 << 21;
/** A job the worker has not finished by then means it is gone: the kernels stop using it. */
const WAIT_MS = 60_000;

/** Words of the control block at the start of the shared memory. */
const CONTROL = { job: 0, done: 1, address: 2, words: 3, ready: 4, failed: 5 } as const;
const CONTROL_BYTES = 64;

/** Where the worker thread's module file is: beside this module, in src/host/ and in dist/ (the build copies it). */
const workerFile = () => new URL('./gram-worker-thread.mjs', import.meta.url);

interface WorkerLike {
  unref(): void;
  terminate(): unknown;
  on(event: 'error', listener: (error: Error) => void): void;
}
type WorkerConstructor = new (file: URL, options: { workerData: unknown }) => WorkerLike;

/** Node's Worker, or null where threads are not available synchronously. */
function workerConstructor(): WorkerConstructor | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const threads = proc?.getBuiltinModule?.('node:worker_threads') as { Worker?: WorkerConstructor; isMainThread?: boolean } | undefined;
  return threads?.Worker && threads.isMainThread && typeof Atomics.wait === 'function' ? threads.Worker : null;
}

class GramWorker {
  private readonly allocator: BumpAllocator;
  private sequence = 0;
  private readonly control: Int32Array;

  private constructor(
    readonly memory: WebAssembly.Memory,
    private readonly worker: WorkerLike,
  ) {
    this.control = new Int32Array(memory.buffer, 0, CONTROL_BYTES / 4);
    this.allocator = new BumpAllocator(memory, CONTROL_BYTES);
  }

  static start(): GramWorker | null {
    const Worker = workerConstructor();
    if (!Worker) return null;
    const module = kernelModule(true);
    if (!module) return null;
    let memory: WebAssembly.Memory;
    let worker: WorkerLike;
    try {
      memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MEMORY_MAX_PAGES, shared: true });
      worker = new Worker(workerFile(), {
        workerData: { module, memory, names: WORKER_KERNELS, slots: CONTROL, controlWords: CONTROL_BYTES / 4 },
      });
    } catch (error) {
      warnNoThread(error);
      return null;
    }
    worker.unref(); // an idle worker must not keep the process alive
    const started = new GramWorker(memory, worker);
    // e.g. a bundle that left gram-worker-thread.mjs behind: one thread from then on (an unhandled 'error' would crash)
    worker.on('error', (error) => {
      started.failure = error;
      warnNoThread(error);
    });
    return started;
  }

  /** Set when the thread failed to start or died: this worker is not used again. */
  failure: Error | null = null;

  /**
   * Whether the worker has started (the first calls after start run on one thread instead of waiting for it);
   * throws a KernelModuleError if the kernel module did not instantiate there.
   */
  get ready(): boolean {
    const state = Atomics.load(this.control, CONTROL.ready);
    if (state === -1) throw new KernelModuleError('the SIMD kernel module does not instantiate on the Gram worker thread');
    return state === 1 && this.failure === null;
  }

  /** Frees everything allocated for the previous job. */
  reset(): void {
    this.allocator.reset();
  }

  /** `bytes` of zeroed shared memory, for {@link GramSpace}. */
  scratch = (bytes: number): number => {
    const address = this.allocator.reserve(bytes);
    // fill() on a SharedArrayBuffer goes byte by byte (several times slower than this copy from a zero block)
    if (zeros.length < bytes) zeros = new Uint8Array(bytes);
    new Uint8Array(this.memory.buffer, address, bytes).set(zeros.subarray(0, bytes));
    return address;
  };

  /** Copies `bytes` at `address` of `source` into shared memory and says where. */
  copy(source: ArrayBufferLike, address: number, bytes: number): number {
    const to = this.allocator.reserve(bytes);
    new Uint8Array(this.memory.buffer, to, bytes).set(new Uint8Array(source, address, bytes));
    return to;
  }

  f64 = (): Float64Array => new Float64Array(this.memory.buffer);

  /** Starts the calls (each [kernel index, ...arguments]) on the worker. */
  submit(calls: number[][]): void {
    const words = calls.flatMap(([kernel, ...args]) => [kernel, args.length, ...args]);
    const address = this.scratch(words.length * 8);
    new Float64Array(this.memory.buffer, address, words.length).set(words);
    Atomics.store(this.control, CONTROL.address, address);
    Atomics.store(this.control, CONTROL.words, words.length);
    Atomics.store(this.control, CONTROL.job, ++this.sequence);
    jobs++;
    Atomics.notify(this.control, CONTROL.job);
  }

  /** Blocks until the submitted calls are done; throws if they failed or the worker is gone. */
  wait(): void {
    const deadline = Date.now() + WAIT_MS;
    while (Atomics.load(this.control, CONTROL.done) !== this.sequence) {
      if (Date.now() > deadline) throw new Error('@loragen/weight-space: the Gram worker thread stopped answering');
      Atomics.wait(this.control, CONTROL.done, Atomics.load(this.control, CONTROL.done), 100);
    }
    if (Atomics.exchange(this.control, CONTROL.failed, 0) === 1) throw new Error('@loragen/weight-space: a kernel failed on the Gram worker thread');
  }

  /** Ends the worker's loop (a terminate alone may not wake a thread blocked in Atomics.wait). */
  stop(): void {
    Atomics.store(this.control, CONTROL.job, -1);
    Atomics.notify(this.control, CONTROL.job);
    void this.worker.terminate();
  }
}

let warned = false;
/** The worker thread could not start or died: the kernels stay on one thread, which one console warning says. */
function warnNoThread(error: unknown): void {
  if (warned) return;
  warned = true;
  console.warn(
    `@loragen/weight-space: the Gram worker thread failed (${error instanceof Error ? error.message : String(error)}); ` +
      'the SIMD kernels run on the calling thread only (same results, slower).',
  );
}

/** Zeros to clear shared scratch from, grown to the largest request. */
let zeros = new Uint8Array(0);
let threadsEnabled = true;
/** Jobs handed to a worker since the module loaded (for tests: that the worker really served a call). */
let jobs = 0;
export const gramWorkerJobs = () => jobs;
/** undefined: not started yet; null: cannot start here, or stopped after a failure. */
let current: GramWorker | null | undefined;

function gramWorker(): GramWorker | null {
  if (!threadsEnabled) return null;
  if (current === undefined) current = GramWorker.start();
  return current?.ready ? current : null;
}

/**
 * Switches the Gram worker thread off (false) or back on (true, the default where Node offers worker_threads
 * synchronously). Off, the SIMD kernels run on the calling thread only.
 */
export function setSimdThreads(on: boolean): void {
  threadsEnabled = on;
  if (!on && current) {
    current.stop();
    current = undefined;
  }
}

/** Whether the worker is up (starting it if it was never started: it is ready a few tens of milliseconds later). */
export function gramWorkerReady(): boolean {
  return gramWorker() !== null;
}

/** Grams started on the worker: `wait()` blocks until they are done and says where they are (null: the worker failed). */
export interface PendingGrams {
  wait(): GramLayout | null;
}

/** Records kernel calls as [index, ...arguments] instead of running them. */
function recordingKernels(calls: number[][]): GramSpace['kernels'] {
  const record =
    (index: number) =>
    (...args: number[]) =>
      void calls.push([index, ...args]);
  return Object.fromEntries(WORKER_KERNELS.map((name, index) => [name, record(index)])) as unknown as GramSpace['kernels'];
}

/** Below this many Jacobi columns-times-rank-squared (about the multiply-adds of one sweep) the hand-over does not pay. */
const MIN_SWEEP_WORK = 1 << 19;

/** One matrix for {@link sweepsOnWorker}: row-major r x r, swept in place; its squared column norms go to `norms`. */
export interface SweepJob {
  matrix: Float64Array;
  norms: Float64Array;
}

/**
 * Jacobi sweeps (the `jacobi_sweeps` kernel, to full orthogonality) of each job's matrix started on the worker
 * thread, on copies in shared memory, or null where there is no worker or too little work. `wait()` blocks until
 * they are done and writes the results into the jobs (true), or says the worker failed (false: nothing written).
 */
export function sweepsOnWorker(jobs: SweepJob[], r: number): { wait(): boolean } | null {
  if (jobs.length * r ** 3 < MIN_SWEEP_WORK) return null;
  const worker = gramWorker();
  if (!worker) return null;
  // no reset: the caller may still be reading Grams this worker left in its shared memory (the next Gram job resets)
  const calls: number[][] = [];
  const at: [number, number][] = [];
  try {
    for (const job of jobs) {
      const columns = worker.scratch(8 * r * sweepStride(r));
      const norms = worker.scratch(8 * r);
      loadColumns(job.matrix, r, worker.f64(), columns, norms);
      calls.push([WORKER_KERNELS.indexOf('jacobi_sweeps'), ...sweepArguments(columns, norms, r)]);
      at.push([columns, norms]);
    }
  } catch {
    return null; // the shared memory could not grow that far
  }
  worker.submit(calls);
  return {
    wait: () => {
      try {
        worker.wait();
      } catch {
        worker.stop();
        current = null;
        return false;
      }
      const heap = worker.f64();
      jobs.forEach((job, i) => storeColumns(heap, at[i][0], at[i][1], job.matrix, r, job.norms));
      return true;
    },
  };
}

/**
 * {@link stackedGrams} of `xs` and `ys` (the same array for a symmetric Gram) started on the worker thread, on
 * copies of the factors, or null where there is no worker or the work is too small to pay for the hand-over.
 */
export function gramsOnWorker(heap: KernelHeap, xs: Factor[], ys: Factor[], positions: number): PendingGrams | null {
  if (gramWork(xs, ys, positions) < MIN_WORK) return null; // small calls never start a thread
  const worker = gramWorker();
  if (!worker) return null;
  worker.reset();
  const calls: number[][] = [];
  let layout: GramLayout;
  try {
    const source = heap.f32().buffer;
    const copyOf = (f: Factor): Factor => ({ ...f, address: worker.copy(source, f.address, factorBytes(f, positions)) });
    const sharedXs = xs.map(copyOf);
    const sharedYs = xs === ys ? sharedXs : ys.map(copyOf);
    layout = stackedGrams({ kernels: recordingKernels(calls), scratch: worker.scratch, f64: worker.f64 }, sharedXs, sharedYs, positions);
  } catch {
    return null; // the shared memory could not grow that far: this call stays on one thread
  }
  worker.submit(calls);
  return {
    wait: () => {
      try {
        worker.wait();
        return layout;
      } catch {
        // a worker that failed or stopped answering is not used again; the caller computes these Grams itself
        worker.stop();
        current = null;
        return null;
      }
    },
  };
}
