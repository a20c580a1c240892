import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The shared fixtures folder (../shared/fixtures from the repository root, or /work/shared/fixtures). */
export const FIXTURES = [
  resolve(__dirname, '../../../../../shared/fixtures'),
  resolve(__dirname, '../../../../shared/fixtures'),
  '/work/shared/fixtures',
].find((p) => existsSync(join(p, 'peft')))!;

export interface ReferenceModule {
  A_shape: [number, number];
  B_shape: [number, number];
  scaling: number;
  dW_fro: number;
  dW_sum: number;
  dW_top_sv: number[];
}

export interface Reference {
  modules: Record<string, ReferenceModule>;
  non_lora_tensors?: string[];
}

/** Every fixture adapter folder that has a reference.json: `peft/<case>` and `real/<case>`. */
export function adapterFixtures(): { id: string; dir: string; reference: Reference }[] {
  const out: { id: string; dir: string; reference: Reference }[] = [];
  for (const group of ['peft', 'real']) {
    for (const name of readdirSync(join(FIXTURES, group)).sort()) {
      const dir = join(FIXTURES, group, name);
      const ref = join(dir, 'reference.json');
      if (existsSync(ref)) out.push({ id: `${group}/${name}`, dir, reference: JSON.parse(readFileSync(ref, 'utf8')) });
    }
  }
  return out;
}
