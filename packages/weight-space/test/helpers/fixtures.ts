import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type HostTensor, readSafetensors } from './safetensors';

export const fixturesDir = path.resolve(__dirname, '../../../../../shared/fixtures');

export interface GoldenCase {
  case: number;
  m: number;
  n: number;
  r: number;
  r_hat: number;
  k: number;
  angular: number;
  spectral_l1_weighted: number;
  spectral_l2_weighted: number;
}

export function goldenLosses(): { cases: GoldenCase[]; tensors: Map<string, HostTensor> } {
  const dir = path.join(fixturesDir, 'losses');
  const cases = JSON.parse(readFileSync(path.join(dir, 'golden.json'), 'utf8')) as GoldenCase[];
  return { cases, tensors: readSafetensors(path.join(dir, 'golden.safetensors')) };
}
