import * as tf from '@tensorflow/tfjs';
import { describeEachBackend, expectClose, expectNoLeaks } from '@loragen/test-utils';
import { DEFAULT_BASE_MODEL_CONFIG, type BaseModelConfig } from '../src/model/config';
import { forward, type LoraSidePaths } from '../src/model/forward';
import { initialWeights, projectionPath, projectionShape, type Projection } from '../src/model/parameters';
import { disposeTensors, tensorsOf } from '../src/model/tensors';
import { adapterDeltas, mergeDeltas } from '../src/lora/delta';
import { libraryAdapterConfig, peftModuleName } from '../src/lora/adapter-naming';
import { createRng } from '../src/tasks/random';
import { taskExamples, taskById } from '../src/tasks/family';
import { INPUT_LENGTH } from '../src/tasks/vocabulary';
import { referenceLogits } from './reference-forward';
import type { LoraAdapter } from '@loragen/lora-io';

const multiHead: BaseModelConfig = { ...DEFAULT_BASE_MODEL_CONFIG, layers: 2 };
// Grouped-query attention (k and v half as wide as q) and an MLP wider than the stream: every projection's shape differs.
const groupedQuery: BaseModelConfig = { ...multiHead, kvHeads: 2, mlpWidth: 48 };

function randomAdapter(seed: number, config: BaseModelConfig, projections: readonly Projection[]): LoraAdapter {
  const rng = createRng(seed);
  const rank = 4;
  const modules = [0, 1].flatMap((l) =>
    projections.map((p) => {
      const [dOut, dIn] = projectionShape(config, p);
      return {
        name: peftModuleName(projectionPath(l, p)),
        rank,
        alpha: 8,
        scaling: 2,
        dIn,
        dOut,
        A: Float32Array.from({ length: rank * dIn }, () => rng.normal() * 0.3),
        B: Float32Array.from({ length: dOut * rank }, () => rng.normal() * 0.3),
      };
    }),
  );
  return { config: libraryAdapterConfig(rank, 8, projections), modules };
}

const cases: Array<[string, BaseModelConfig, Projection[]]> = [
  ['multi-head, LoRA on q and v', multiHead, ['q', 'v']],
  ['grouped-query, LoRA on all six projections', groupedQuery, ['q', 'k', 'v', 'o', 'up', 'down']],
];

describe.each(cases)('base model forward, %s', (_, config, projections) => {
  it('k and v weights have the grouped width', () => {
    const weights = initialWeights(config, createRng(1));
    const kvWidth = ((config.kvHeads ?? config.heads) * config.width) / config.heads;
    expect(weights.get(`${projectionPath(1, 'k')}.weight`)!.shape).toEqual([kvWidth, config.width]);
    expect(weights.get(`${projectionPath(1, 'down')}.weight`)!.shape).toEqual([config.width, config.mlpWidth]);
  });
  runForwardSuite(config, projections);
});

function runForwardSuite(config: BaseModelConfig, projections: readonly Projection[]): void {
  describeEachBackend('base model forward', (backend) => {
    const weights = initialWeights(config, createRng(11));
    const examples = taskExamples(taskById('contains-5'), 'test', 1, 6, 'task');

    it(`matches a plain-JS reference implementation (${backend})`, async () => {
      const params = tensorsOf(weights);
      const logits = tf.tidy(() => forward(tf.tensor2d(examples.inputs, [examples.count, INPUT_LENGTH], 'int32'), params, config));
      const expected = Array.from({ length: examples.count }, (_, i) =>
        referenceLogits(Array.from(examples.inputs.subarray(i * INPUT_LENGTH, (i + 1) * INPUT_LENGTH)), weights, config),
      ).flat();
      expectClose(await logits.data(), expected, { rtol: 1e-4, atol: 1e-4 });
      logits.dispose();
      disposeTensors(params);
    });

    it(`a LoRA side path equals the merged update W + scaling * B A (${backend})`, async () => {
      const adapter = randomAdapter(5, config, projections);
      const params = tensorsOf(weights);
      const merged = tensorsOf(mergeDeltas(weights, adapterDeltas(adapter)));
      const side: LoraSidePaths = new Map(
        adapter.modules.map((m) => [
          m.name.replace('base_model.model.', ''),
          { A: tf.tensor2d(m.A, [m.rank, m.dIn]), B: tf.tensor2d(m.B, [m.dOut, m.rank]), scaling: m.scaling },
        ]),
      );
      const tokens = tf.tensor2d(examples.inputs, [examples.count, INPUT_LENGTH], 'int32');
      const viaSide = tf.tidy(() => forward(tokens, params, config, side));
      const viaMerge = tf.tidy(() => forward(tokens, merged, config));
      const plain = tf.tidy(() => forward(tokens, params, config));
      expectClose(await viaSide.data(), await viaMerge.data(), { rtol: 1e-4, atol: 1e-4 });
      // The adapter must actually change the output, or the comparison above proves nothing.
      const change = tf.tidy(() => tf.max(tf.abs(tf.sub(viaMerge, plain))));
      expect((await change.data())[0]).toBeGreaterThan(1e-2);
      for (const t of [viaSide, viaMerge, plain, change, tokens]) t.dispose();
      for (const s of side.values()) tf.dispose([s.A, s.B]);
      disposeTensors(params);
      disposeTensors(merged);
    });

    it(`does not leak tensors (${backend})`, async () => {
      const params = tensorsOf(weights);
      const tokens = tf.tensor2d(examples.inputs, [examples.count, INPUT_LENGTH], 'int32');
      await expectNoLeaks(async () => tf.tidy(() => forward(tokens, params, config)).dispose());
      tokens.dispose();
      disposeTensors(params);
    });

    it(`rejects inputs of the wrong length (${backend})`, () => {
      const params = tensorsOf(weights);
      expect(() => forward(tf.zeros([2, 5], 'int32') as tf.Tensor2D, params, config)).toThrow(/length 5, the model reads 10/);
      disposeTensors(params);
    });
  });
}
