// Adapters in and out of adapter arithmetic: which inputs combine (and the typed errors naming what does not), and
// the adapter a result is written as, read back through the PEFT files.
import {
  AdapterFormatError,
  AdapterLayoutError,
  adapterFromFactors,
  checkArithmeticInputs,
  loraScaling,
  parsePeftAdapter,
  serializePeftAdapter,
  setAdapterExtraTensors,
  type LoraAdapter,
  type LoraModule,
} from '@loragen/lora-io';

const f32 = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 3.3 + i * 0.71));
function mod(name: string, rank: number, dOut: number, dIn: number, alpha: number, rslora = false): LoraModule {
  return { name, rank, alpha, scaling: loraScaling(alpha, rank, rslora), dIn, dOut, A: f32(rank * dIn, rank), B: f32(dOut * rank, dOut) };
}
const NAMES = ['base_model.model.layers.0.q_proj', 'base_model.model.layers.0.v_proj'];
function adapter(
  rank: number,
  alpha: number,
  extra: Partial<LoraAdapter['config']> = {},
  shapes: [number, number][] = [
    [8, 6],
    [4, 6],
  ],
): LoraAdapter {
  const rslora = extra.use_rslora === true;
  return {
    config: { peft_type: 'LORA', r: rank, lora_alpha: alpha, target_modules: ['q_proj', 'v_proj'], ...extra },
    modules: NAMES.map((n, i) => mod(n, rank, shapes[i][0], shapes[i][1], alpha, rslora)),
  };
}

describe('checkArithmeticInputs', () => {
  test('different ranks, alphas, rsLoRA and fan_in_fan_out combine', () => {
    expect(() => checkArithmeticInputs([adapter(4, 8), adapter(2, 16, { use_rslora: true }), adapter(8, 8, { fan_in_fan_out: true })])).not.toThrow();
  });

  test('a missing, extra or differently shaped module is an AdapterLayoutError naming it', () => {
    const lacking = adapter(4, 8);
    lacking.modules.pop();
    expect(() => checkArithmeticInputs([adapter(4, 8), lacking], ['a', 'b'])).toThrow(`module '${NAMES[1]}' is in a but not in b`);
    expect(() => checkArithmeticInputs([lacking, adapter(4, 8)], ['a', 'b'])).toThrow(`module '${NAMES[1]}' is in b but not in a`);
    expect(() =>
      checkArithmeticInputs(
        [
          adapter(4, 8),
          adapter(4, 8, {}, [
            [8, 6],
            [4, 7],
          ]),
        ],
        ['a', 'b'],
      ),
    ).toThrow(`module '${NAMES[1]}' is 4 x 7 (dOut x dIn) in b but 4 x 6 in a`);
    const error = (() => {
      try {
        checkArithmeticInputs([adapter(4, 8), lacking]);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(AdapterLayoutError);
    expect((error as AdapterLayoutError).hint).toMatch(/same base model/);
  });

  test('DoRA adapters are refused with a hint; so are non-LoRA tensors when several adapters are summed', () => {
    const dora = adapter(4, 8, { use_dora: true });
    expect(() => checkArithmeticInputs([dora])).toThrow(AdapterFormatError);
    expect(() => checkArithmeticInputs([dora])).toThrow(/DoRA[\s\S]*hint: merge the DoRA adapter into its base model/);
    const magnitude = adapter(4, 8);
    magnitude.modules[0].magnitude = new Float32Array(8);
    expect(() => checkArithmeticInputs([magnitude])).toThrow(/DoRA/);
    const head = adapter(4, 8);
    setAdapterExtraTensors(head, new Map([['base_model.model.score.weight', { dtype: 'F32', shape: [1], data: new Uint8Array(4) }]]));
    expect(() => checkArithmeticInputs([head])).not.toThrow();
    expect(() => checkArithmeticInputs([head, adapter(4, 8)])).toThrow(/score\.weight[\s\S]*hint/);
  });
});

describe('adapterFromFactors', () => {
  test('scaling 1 whatever the rank: r is the most common rank, rank_pattern and alpha_pattern cover the others', () => {
    const template = adapter(4, 32, {
      use_rslora: true,
      fan_in_fan_out: true,
      rank_pattern: { q_proj: 4 },
      base_model_name_or_path: 'some/model',
      custom: 1,
    });
    const modules = [
      { name: NAMES[0], dOut: 8, dIn: 6, A: f32(3 * 6, 1), B: f32(8 * 3, 2) },
      { name: NAMES[1], dOut: 4, dIn: 6, A: f32(5 * 6, 3), B: f32(4 * 5, 4) },
      { name: 'base_model.model.layers.1.q_proj', dOut: 8, dIn: 6, A: f32(5 * 6, 5), B: f32(8 * 5, 6) },
    ];
    const out = adapterFromFactors(template.config, modules);
    expect(out.modules.map((m) => [m.rank, m.alpha, m.scaling])).toEqual([
      [3, 3, 1],
      [5, 5, 1],
      [5, 5, 1],
    ]);
    const files = serializePeftAdapter(out);
    const config = JSON.parse(files.config);
    expect([config.r, config.lora_alpha, config.use_rslora, config.use_dora]).toEqual([5, 5, false, false]);
    expect(config.rank_pattern).toEqual({ 'layers\\.0\\.q_proj': 3 });
    expect(config.alpha_pattern).toEqual({ 'layers\\.0\\.q_proj': 3 });
    expect([config.fan_in_fan_out, config.base_model_name_or_path, config.custom]).toEqual([true, 'some/model', 1]);
    // what PEFT would apply, read back: scaling 1 and the factors as given
    const back = parsePeftAdapter(files.config, files.safetensors);
    back.modules.forEach((m, i) => {
      expect([m.name, m.rank, m.scaling]).toEqual([modules[i].name, modules[i].A.length / 6, 1]);
      expect(m.A).toEqual(modules[i].A);
      expect(m.B).toEqual(modules[i].B);
    });
  });

  test('factors that do not fit their shape are refused, naming the module', () => {
    expect(() => adapterFromFactors(adapter(4, 8).config, [{ name: 'm', dOut: 4, dIn: 6, A: new Float32Array(12), B: new Float32Array(9) }])).toThrow(
      /module 'm'/,
    );
  });
});
