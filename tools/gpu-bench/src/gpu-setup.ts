// On the GPU machine there is no node_modules: Dawn's addon travels as a file, named
// by DAWN_NODE, and provides navigator.gpu before the webgpu backend registers.
import { createRequire } from 'node:module';

export function installDawnFromFile(file: string): void {
  const dawn = createRequire(import.meta.url)(file) as { create(f: string[]): unknown; globals: object };
  Object.assign(globalThis, dawn.globals);
  Object.defineProperty(globalThis, 'navigator', { value: { gpu: dawn.create([]) }, configurable: true });
}
