import { ConfigError, resolveConfig } from '../src';

describe('resolveConfig', () => {
  it("fills in the paper's reference values", () => {
    const c = resolveConfig({});
    expect(c.autoencoder).toMatchObject({
      latentDim: 64,
      encoderHidden: 128,
      supervision: 'deltaW',
      decoder: 'moe',
      numExperts: 4,
      topK: 2,
      temperature: { start: 1.5, end: 1.2, steps: 2000 },
      expertHidden: 256,
      learningRate: 1.1e-3,
      beta1: 0.5,
      beta2: 0.9,
      loss: { angular: 1, spectral: 2, kl: 1e-6, balance: 1e-5, balanceWarmupSteps: 1000, energyRatio: 0.85, p: 1 },
    });
    expect(c.diffusion).toMatchObject({
      timesteps: 500,
      schedule: 'linear',
      betaStart: 1e-5,
      betaEnd: 2e-2,
      depth: 4,
      width: 64,
      heads: 8,
      batchSize: 64,
      learningRate: 8e-5,
      beta1: 0.9,
      beta2: 0.99,
      emaDecay: 0.995,
    });
  });

  it("names the loss weightings as latent-diffusion does, and still reads the old 'snr/(snr+1)'", () => {
    expect(resolveConfig({}).diffusion).toMatchObject({ lossWeighting: 'snr-ratio', minSnrGamma: 5 });
    expect(resolveConfig({ diffusion: { lossWeighting: 'snr/(snr+1)' } }).diffusion.lossWeighting).toBe('snr-ratio');
    expect(resolveConfig({ diffusion: { lossWeighting: 'min-snr', minSnrGamma: 2 } }).diffusion).toMatchObject({
      lossWeighting: 'min-snr',
      minSnrGamma: 2,
    });
    expect(() => resolveConfig({ diffusion: { lossWeighting: 'p2' as 'uniform' } })).toThrow(ConfigError);
  });

  it('keeps given values and fills the rest', () => {
    const c = resolveConfig({ seed: 7, autoencoder: { steps: 10, loss: { spectral: 0 } } });
    expect(c.seed).toBe(7);
    expect(c.autoencoder.steps).toBe(10);
    expect(c.autoencoder.loss.spectral).toBe(0);
    expect(c.autoencoder.loss.angular).toBe(1);
  });

  it.each([
    [{ autoencoder: { latentDim: -3 } }, /'autoencoder\.latentDim' = -3: .*greater than 0/i],
    [{ autoencoder: { supervision: 'AB' } }, /'autoencoder\.supervision' = "AB": .*'deltaW' \| 'factors'/],
    [{ diffusion: { emaDecay: 1.5 } }, /'diffusion\.emaDecay' = 1\.5: .*less than or equal to 1/i],
    [{ sampling: { sampler: 'euler' } }, /'sampling\.sampler' = "euler": .*'ddpm' \| 'ddim' \| 'dpmpp-2m'/],
    [{ autoencoder: { steps: 2.5 } }, /'autoencoder\.steps' = 2\.5: .*integer/i],
    [{ diffusoin: {} }, /unknown field\(s\) 'diffusoin'/],
    [{ autoencoder: { lossWeights: {} } }, /unknown field\(s\) 'autoencoder\.lossWeights'/],
    [{ diffusion: { width: 64, heads: 5 } }, /'diffusion\.heads' = 5 does not divide 'diffusion\.width' = 64/],
    [{ autoencoder: { numExperts: 2, topK: 3 } }, /'autoencoder\.topK' = 3 exceeds 'autoencoder\.numExperts' = 2/],
  ])('rejects %j naming field, value and what is allowed', (input, message) => {
    expect(() => resolveConfig(input)).toThrow(ConfigError);
    expect(() => resolveConfig(input)).toThrow(message);
    expect(() => resolveConfig(input)).toThrow(/hint:/);
  });
});
