// Imports an optional peer by a name bundlers cannot see, so that a browser build
// never tries to bundle Node-only runtimes (tfjs-node, Dawn) it will not use.
export function optionalImport<T = unknown>(specifier: string): Promise<T> {
  const load = new Function('s', 'return import(s)') as (s: string) => Promise<T>;
  return load(specifier);
}

export function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}
