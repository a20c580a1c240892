import type { LoraAdapter, LoraModule } from '@loragen/lora-io';
import { trainingRng, type LibraryTask } from '../../src';

/** Options of {@link syntheticLibrary}. */
export interface SyntheticOptions {
  layers?: number;
  dIn?: number;
  dOut?: number;
  seed?: number;
  /** Size of the random gauge's off-identity entries (larger: factors look less alike). @default 0.5 */
  gaugeStrength?: number;
}

export const TOPICS = ['sentiment', 'arithmetic', 'translation'] as const;
export const STYLES = ['brief', 'detailed'] as const;

/**
 * A library with planted structure: each task is a (topic, style) pair; at every position its true update is
 * dW = s (b_topic a_topic^T + b_style a_style^T), rank 2, so tasks sharing a topic or a style share a component.
 * The stored factors hide it behind a random invertible gauge R per adapter and position: B' = B R, A' = R^-1 A.
 * Descriptions name the topic and the style. Module names follow PEFT's Llama layout (q_proj, v_proj).
 */
export function syntheticLibrary(opts: SyntheticOptions = {}): { tasks: LibraryTask[]; truth: Map<string, LoraModule[]> } {
  const { layers = 2, dIn = 16, dOut = 16, seed = 11, gaugeStrength = 0.5 } = opts;
  const rng = trainingRng(seed);
  const rank = 2;
  const alpha = 4;
  const scaling = alpha / rank;
  const types = ['q_proj', 'v_proj'];
  const component = () => ({ a: rng.normals(dIn), b: rng.normals(dOut) });
  // one component per (concept, layer, type)
  const comps = new Map<string, { a: Float32Array; b: Float32Array }>();
  for (const c of [...TOPICS, ...STYLES]) for (let l = 0; l < layers; l++) for (const t of types) comps.set(`${c}/${l}/${t}`, component());
  const tasks: LibraryTask[] = [];
  const truth = new Map<string, LoraModule[]>();
  for (const topic of TOPICS) {
    for (const style of STYLES) {
      const name = `${topic}-${style}`;
      const stored: LoraModule[] = [];
      const exact: LoraModule[] = [];
      for (let l = 0; l < layers; l++) {
        for (const t of types) {
          const [c1, c2] = [comps.get(`${topic}/${l}/${t}`)!, comps.get(`${style}/${l}/${t}`)!];
          const A = new Float32Array(rank * dIn);
          A.set(c1.a, 0);
          A.set(c2.a, dIn);
          const B = new Float32Array(dOut * rank);
          for (let i = 0; i < dOut; i++) {
            B[i * rank] = c1.b[i];
            B[i * rank + 1] = c2.b[i];
          }
          const moduleName = `base_model.model.model.layers.${l}.self_attn.${t}`;
          const base = { name: moduleName, rank, alpha, scaling, dIn, dOut };
          exact.push({ ...base, A, B });
          // gauge R = [[1 + |p|, q], [u, w]]
          const [p, q, u] = rng.normals(3).map((x) => gaugeStrength * x);
          const w = 1 + 2 * gaugeStrength * Math.abs(rng.normals(1)[0]);
          const R = [1 + Math.abs(p), q, u, w];
          const det = R[0] * R[3] - R[1] * R[2];
          const Rinv = [R[3] / det, -R[1] / det, -R[2] / det, R[0] / det];
          const B2 = new Float32Array(dOut * rank);
          for (let i = 0; i < dOut; i++) {
            B2[i * 2] = B[i * 2] * R[0] + B[i * 2 + 1] * R[2];
            B2[i * 2 + 1] = B[i * 2] * R[1] + B[i * 2 + 1] * R[3];
          }
          const A2 = new Float32Array(rank * dIn);
          for (let j = 0; j < dIn; j++) {
            A2[j] = Rinv[0] * A[j] + Rinv[1] * A[dIn + j];
            A2[dIn + j] = Rinv[2] * A[j] + Rinv[3] * A[dIn + j];
          }
          stored.push({ ...base, A: A2, B: B2 });
        }
      }
      const adapter: LoraAdapter = {
        config: { peft_type: 'LORA', r: rank, lora_alpha: alpha, target_modules: types, task_type: 'CAUSAL_LM' },
        modules: stored,
      };
      tasks.push({
        name,
        descriptions: [`${style} ${topic} task`, `solve a ${topic} problem with a ${style} answer`],
        adapter,
      });
      truth.set(name, exact);
    }
  }
  return { tasks, truth };
}
