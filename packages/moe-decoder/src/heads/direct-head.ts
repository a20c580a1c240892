// The reference's head: one affine map from the experts' output straight to all of a position's factor values.
import { linear } from '../layers/linear';
import type { ParameterStore } from '../parameters/parameter-store';
import type { ModuleSpec } from '../types';
import { factorSize, splitFactors, type ModuleHead } from './factor-layout';

/** `heads/<name>/kernel` [width, rank * (dIn + dOut)] and its bias: width * rank * (dIn + dOut) weights. */
export function directHead(store: ParameterStore, spec: ModuleSpec, width: number): ModuleHead {
  const map = linear(store, `heads/${spec.name}`, width, factorSize(spec));
  return (rows, batch, layers) => splitFactors(map(rows), spec, batch, layers);
}
