// The latent-space half of the quality ledger: did stage 2 land on the task's own latent?

/** Per task id: whether the generated latent is nearest its own task's latent (1) or not (0), and how far off it is. */
export interface LatentLedger {
  retrieved: Map<string, number>;
  /**
   * |z_generated - z_own| / s, where s is the RMS distance of the library's latents from their mean: 0 is the
   * task's own latent, 1 a typical task's distance from the library's centre.
   */
  latentError: Map<string, number>;
}

const distance = (a: number[][], b: number[][]): number => {
  let s = 0;
  for (let p = 0; p < a.length; p++) for (let d = 0; d < a[p].length; d++) s += (a[p][d] - b[p][d]) ** 2;
  return Math.sqrt(s);
};

/**
 * @param generated one latent [positions][dim] per task, generated from its description
 * @param library the library's latents (posterior means of its adapters)
 * @param own index into `library` of each generated latent's own task
 * @param ids task id of each generated latent
 */
export function latentLedger(generated: number[][][], library: number[][][], own: readonly number[], ids: readonly string[]): LatentLedger {
  const centre = library[0].map((row, p) => row.map((_, d) => library.reduce((s, z) => s + z[p][d], 0) / library.length));
  const spread = Math.sqrt(library.reduce((s, z) => s + distance(z, centre) ** 2, 0) / library.length) || 1;
  const retrieved = new Map<string, number>();
  const latentError = new Map<string, number>();
  generated.forEach((z, i) => {
    const distances = library.map((candidate) => distance(z, candidate));
    const nearest = distances.indexOf(Math.min(...distances));
    retrieved.set(ids[i], nearest === own[i] ? 1 : 0);
    latentError.set(ids[i], distances[own[i]] / spread);
  });
  return { retrieved, latentError };
}
