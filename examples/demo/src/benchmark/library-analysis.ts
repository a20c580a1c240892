// A library's `loragen analyze` figures for the benchmark results: does the paper's premise hold on it?
import { observeLibrary } from '@loragen/core';
import { readLibrary } from '../library/library-folder';
import { libraryDir } from '../library/paths';

export interface LibraryAnalysis {
  /** Pearson correlation, over task pairs, of description similarity with dW similarity and with raw-factor similarity. */
  correlation: { deltaW: number; factors: number };
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

/** The analysis of the whole library under `assets` (every task, training and zero-shot), as `loragen analyze` reports it. */
export async function libraryAnalysis(assets: string): Promise<LibraryAnalysis> {
  const entries = [...(await readLibrary(libraryDir(assets))).values()];
  const { correlation } = observeLibrary(entries.map((e) => ({ name: e.name, descriptions: e.descriptions, adapter: e.adapter })));
  return { correlation: { deltaW: round(correlation.deltaW), factors: round(correlation.factors) } };
}
