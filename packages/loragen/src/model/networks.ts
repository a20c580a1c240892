import { ModuleAwareMoEDecoder, SharedMLPDecoder, type LoraDecoder, type ModuleSpec } from '@loragen/moe-decoder';
import { SeededRng } from '@loragen/latent-diffusion';
import type { LoraGenConfig } from '../config/schema';
import type { LibraryLayout } from '../data/layout';
import { ConfigError } from '../errors';

/** What a custom decoder factory is given: the library's module types (layout order), layers and latent size. */
export interface DecoderShape {
  modules: ModuleSpec[];
  layers: number;
  latentDim: number;
}

/** A researcher's decoder: an instance for a known layout, or a factory called once the layout is known. */
export type DecoderChoice = LoraDecoder | ((shape: DecoderShape) => LoraDecoder);

export function decoderShape(layout: LibraryLayout, cfg: LoraGenConfig): DecoderShape {
  return {
    modules: layout.moduleTypes.map(({ name, dIn, dOut, rank }) => ({ name, dIn, dOut, rank })),
    layers: layout.layers,
    latentDim: cfg.autoencoder.latentDim,
  };
}

/** Where the built-in decoders' initial weights come from: the stream moe-decoder drew from `seed` itself before it took a source. */
function decoderInitRng(seed: number): SeededRng {
  return new SeededRng(seed, { algorithm: 'mulberry32' });
}

/** The configured decoder, or the user's (checked against the layout). */
export function buildDecoder(shape: DecoderShape, cfg: LoraGenConfig, custom?: DecoderChoice): LoraDecoder {
  const ae = cfg.autoencoder;
  const decoder = custom
    ? typeof custom === 'function'
      ? custom(shape)
      : custom
    : ae.decoder === 'moe'
      ? new ModuleAwareMoEDecoder({
          ...shape,
          numExperts: ae.numExperts,
          topK: ae.topK,
          temperature: ae.temperature,
          expertHidden: ae.expertHidden,
          head: ae.head,
          headRank: ae.headRank,
          random: decoderInitRng(cfg.seed),
        })
      : new SharedMLPDecoder({ ...shape, hidden: ae.expertHidden, random: decoderInitRng(cfg.seed) });
  const same =
    decoder.layers === shape.layers &&
    decoder.latentDim === shape.latentDim &&
    decoder.modules.length === shape.modules.length &&
    decoder.modules.every((m, i) => {
      const s = shape.modules[i];
      return m.name === s.name && m.dIn === s.dIn && m.dOut === s.dOut && m.rank === s.rank;
    });
  if (!same) {
    throw new ConfigError(
      `the custom decoder has ${decoder.layers} layers, latentDim ${decoder.latentDim} and modules ` +
        `[${decoder.modules.map((m) => `${m.name} r${m.rank} ${m.dIn}->${m.dOut}`).join(', ')}]; the library needs ${shape.layers} layers, ` +
        `latentDim ${shape.latentDim} and [${shape.modules.map((m) => `${m.name} r${m.rank} ${m.dIn}->${m.dOut}`).join(', ')}]`,
      'pass a factory `(shape) => decoder` so the decoder is built for the library, or build it with exactly these modules',
    );
  }
  return decoder;
}
