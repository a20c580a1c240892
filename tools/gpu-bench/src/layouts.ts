import type { ModuleSpec } from '@loragen/moe-decoder';

export interface BenchLayout {
  id: 'flan-t5-large' | 'gemma-2-2b';
  layers: number;
  modules: ModuleSpec[];
}

const t5 = (name: string): ModuleSpec => ({ name, dIn: 1024, dOut: 1024, rank: 16 });

/** The paper's two layouts: FLAN-T5-large q/v in 3 attention blocks x 24 layers, Gemma-2-2B q/v x 26 layers. */
export const LAYOUTS: BenchLayout[] = [
  {
    id: 'flan-t5-large',
    layers: 24,
    modules: ['encoder.q', 'encoder.v', 'decoder.q', 'decoder.v', 'cross.q', 'cross.v'].map(t5),
  },
  {
    id: 'gemma-2-2b',
    layers: 26,
    modules: [
      { name: 'q_proj', dIn: 2304, dOut: 2048, rank: 8 },
      { name: 'v_proj', dIn: 2304, dOut: 1024, rank: 8 },
    ],
  },
];

export const positionsOf = (l: BenchLayout): number => l.layers * l.modules.length;
