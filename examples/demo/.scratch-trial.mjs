// trial.ts
import * as tf8 from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import * as fs from "node:fs";

// ../../work/main/examples/demo/src/base/train-base.ts
import * as tf5 from "@tensorflow/tfjs";

// ../../work/main/examples/demo/src/model/forward.ts
import * as tf from "@tensorflow/tfjs";

// ../../work/main/examples/demo/src/model/parameters.ts
var projectionPath = (layer, projection) => `model.layers.${layer}.self_attn.${projection}_proj`;
function parameterShapes(config) {
  const { width: d, mlpWidth: m } = config;
  const shapes = [
    ["model.embed_tokens.weight", [config.vocabularySize, d]],
    ["model.embed_positions.weight", [config.inputLength, d]]
  ];
  for (let l = 0; l < config.layers; l++) {
    shapes.push([`model.layers.${l}.input_layernorm.weight`, [d]]);
    for (const p of ["q", "k", "v", "o"]) shapes.push([`${projectionPath(l, p)}.weight`, [d, d]]);
    shapes.push([`model.layers.${l}.post_attention_layernorm.weight`, [d]]);
    shapes.push([`model.layers.${l}.mlp.up_proj.weight`, [m, d]]);
    shapes.push([`model.layers.${l}.mlp.down_proj.weight`, [d, m]]);
  }
  shapes.push(["model.norm.weight", [d]], ["score.weight", [config.classes, d]]);
  return shapes;
}
function initialWeights(config, rng) {
  const table = /* @__PURE__ */ new Map();
  for (const [name, shape] of parameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    if (name.endsWith("norm.weight")) values.fill(1);
    else {
      const residualWrite = /(o_proj|down_proj)\.weight$/.test(name);
      const std = name.startsWith("model.embed") ? 1 : 1 / Math.sqrt(shape[1]) * (residualWrite ? 1 / Math.sqrt(2 * config.layers) : 1);
      for (let i = 0; i < size; i++) values[i] = rng.normal() * std;
    }
    table.set(name, { shape, values });
  }
  return table;
}

// ../../work/main/examples/demo/src/model/forward.ts
var RMS_EPSILON = 1e-6;
function weight(params, name) {
  const w = params.get(name);
  if (!w) throw new RangeError(`base model weight '${name}' is missing`);
  return w;
}
function rmsNorm(x, gain) {
  const meanSquare = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, RMS_EPSILON))), gain);
}
function project(x, params, path, lora) {
  const base = tf.matMul(x, weight(params, `${path}.weight`), false, true);
  const side = lora?.get(path);
  if (!side) return base;
  const low = tf.matMul(tf.matMul(x, side.A, false, true), side.B, false, true);
  return tf.add(base, tf.mul(low, side.scaling));
}
function selfAttention(h, params, config, layer, batch, lora) {
  const { heads, width, inputLength: t } = config;
  const headWidth = width / heads;
  const split = (x) => tf.transpose(tf.reshape(x, [batch, t, heads, headWidth]), [0, 2, 1, 3]);
  const q = split(project(h, params, projectionPath(layer, "q"), lora));
  const k = split(project(h, params, projectionPath(layer, "k"), lora));
  const v = split(project(h, params, projectionPath(layer, "v"), lora));
  const scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(headWidth));
  const mixed = tf.matMul(tf.softmax(scores, -1), v);
  const merged = tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [batch * t, width]);
  return project(merged, params, projectionPath(layer, "o"), lora);
}
function forward(tokens, params, config, lora) {
  const [batch, t] = tokens.shape;
  if (t !== config.inputLength) throw new RangeError(`inputs have length ${t}, the model reads ${config.inputLength} tokens`);
  const oneHot3 = tf.oneHot(tf.reshape(tokens, [batch * t]), config.vocabularySize);
  const embedded = tf.matMul(tf.cast(oneHot3, "float32"), weight(params, "model.embed_tokens.weight"));
  const positions = tf.tile(weight(params, "model.embed_positions.weight"), [batch, 1]);
  let x = tf.add(embedded, positions);
  for (let l = 0; l < config.layers; l++) {
    const prefix = `model.layers.${l}`;
    x = tf.add(x, selfAttention(rmsNorm(x, weight(params, `${prefix}.input_layernorm.weight`)), params, config, l, batch, lora));
    const h = rmsNorm(x, weight(params, `${prefix}.post_attention_layernorm.weight`));
    const up = tf.relu(project(h, params, `${prefix}.mlp.up_proj`, lora));
    x = tf.add(x, project(up, params, `${prefix}.mlp.down_proj`, lora));
  }
  const last = tf.reshape(tf.slice(tf.reshape(x, [batch, t, config.width]), [0, t - 1, 0], [batch, 1, config.width]), [batch, config.width]);
  const normed = rmsNorm(last, weight(params, "model.norm.weight"));
  return tf.matMul(normed, weight(params, "score.weight"), false, true);
}

// ../../work/main/examples/demo/src/model/objective.ts
import * as tf2 from "@tensorflow/tfjs";

// ../../work/main/examples/demo/src/tasks/vocabulary.ts
var SEQUENCE_LENGTH = 8;
var DIGITS = 10;
var OPERATION_TOKENS = {
  contains: 10,
  absent: 11,
  first: 12,
  last: 13,
  twice: 14,
  maxAtLeast: 15,
  minAtMost: 16
};
var UNKNOWN_TOKEN = 17;
var VOCABULARY_SIZE = 18;
var INPUT_LENGTH = SEQUENCE_LENGTH + 2;

// ../../work/main/examples/demo/src/model/objective.ts
var inputsTensor = (examples) => tf2.tensor2d(examples.inputs, [examples.count, INPUT_LENGTH], "int32");
function crossEntropy(logits, labels) {
  return tf2.tidy(() => {
    const targets = tf2.oneHot(tf2.tensor1d(labels, "int32"), logits.shape[1]);
    return tf2.losses.softmaxCrossEntropy(targets, logits);
  });
}
async function accuracyOf(logits, labels) {
  const predicted = tf2.argMax(logits, -1);
  const values = await predicted.data();
  predicted.dispose();
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (values[i] === labels[i]) correct++;
  return correct / labels.length;
}

// ../../work/main/examples/demo/src/model/tensors.ts
import * as tf3 from "@tensorflow/tfjs";
var tensorsOf = (table) => new Map([...table].map(([name, w]) => [name, tf3.tensor(w.values, w.shape, "float32")]));
var variablesOf = (table) => new Map([...table].map(([name, w]) => [name, tf3.variable(tf3.tensor(w.values, w.shape, "float32"), true, `base/${name}`)]));
async function tableOf(tensors) {
  const table = /* @__PURE__ */ new Map();
  for (const [name, t] of tensors) table.set(name, { shape: t.shape.slice(), values: await t.data() });
  return table;
}
function disposeTensors(tensors) {
  for (const t of tensors.values()) t.dispose();
}

// ../../work/main/examples/demo/src/model/train-loop.ts
import * as tf4 from "@tensorflow/tfjs";
async function trainLoop(opts) {
  const optimizer = tf4.train.adam(opts.learningRate);
  const reportEvery = opts.reportEvery ?? 50;
  let accuracy = Number.NaN;
  let step = 0;
  try {
    while (step < opts.steps) {
      const examples = opts.batch(step);
      const inputs = inputsTensor(examples);
      const loss = optimizer.minimize(() => crossEntropy(opts.logits(inputs), examples.labels), true, opts.variables);
      inputs.dispose();
      step++;
      const validate = opts.validation && step % opts.validation.every === 0;
      if (validate) accuracy = await opts.validation.accuracy();
      if (validate || step % reportEvery === 0 || step === opts.steps) {
        const value = (await loss.data())[0];
        opts.onProgress?.({ step, steps: opts.steps, loss: value, ...validate ? { accuracy } : {} });
      }
      loss?.dispose();
      if (validate && accuracy >= opts.validation.target) break;
    }
  } finally {
    optimizer.dispose();
  }
  return { steps: step, accuracy };
}

// ../../work/main/examples/demo/src/tasks/operations.ts
var ALL_DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
var count = (sequence, digit) => sequence.reduce((n, x) => n + (x === digit ? 1 : 0), 0);
function digitOtherThan(rng, excluded, lo = 0, hi = DIGITS - 1) {
  for (; ; ) {
    const d = rng.int(lo, hi);
    if (d !== excluded) return d;
  }
}
var sequenceOf = (draw) => Array.from({ length: SEQUENCE_LENGTH }, draw);
function plant(rng, sequence, digit, k) {
  const free = sequence.map((_, i) => i);
  for (let j = 0; j < k; j++) {
    const [position] = free.splice(rng.int(0, free.length - 1), 1);
    sequence[position] = digit;
  }
  return sequence;
}
var contains = {
  name: "contains",
  args: ALL_DIGITS,
  answer: (s, d) => count(s, d) > 0,
  sample: (rng, d, wanted) => {
    const s = sequenceOf(() => digitOtherThan(rng, d));
    return wanted ? plant(rng, s, d, rng.int(1, 2)) : s;
  },
  templates: [
    "Does the sequence contain the digit {d}?",
    "Answer yes if {w} appears anywhere in the list, otherwise no.",
    "Check whether the number {d} occurs in the sequence.",
    "Say yes when at least one {w} is present.",
    "Is there a {d} somewhere among the digits?",
    "Detect the presence of the digit {w}."
  ]
};
var absent = {
  name: "absent",
  args: ALL_DIGITS,
  answer: (s, d) => count(s, d) === 0,
  sample: (rng, d, wanted) => contains.sample(rng, d, !wanted),
  templates: [
    "Is the digit {d} missing from the sequence?",
    "Answer yes if {w} never appears in the list, otherwise no.",
    "Check that the number {d} does not occur anywhere.",
    "Say yes when there is no {w} at all.",
    "Is the sequence free of the digit {d}?",
    "Detect the absence of the digit {w}."
  ]
};
function positional(name, position, where, place) {
  return {
    name,
    args: ALL_DIGITS,
    answer: (s, d) => s[position] === d,
    sample: (rng, d, wanted) => {
      const s = sequenceOf(() => rng.int(0, DIGITS - 1));
      s[position] = wanted ? d : digitOtherThan(rng, d);
      return s;
    },
    templates: [
      `Is the ${place} digit of the sequence {d}?`,
      `Answer yes if the sequence ${where} with {w}, otherwise no.`,
      `Check whether the ${place} number is {d}.`,
      `Say yes when {w} is in the ${place} position.`,
      `Does the list ${where} with the digit {d}?`,
      `Test if the ${place} element equals {w}.`
    ]
  };
}
var twice = {
  name: "twice",
  args: ALL_DIGITS,
  answer: (s, d) => count(s, d) >= 2,
  sample: (rng, d, wanted) => {
    const s = sequenceOf(() => digitOtherThan(rng, d));
    return plant(rng, s, d, wanted ? rng.int(2, 3) : rng.int(0, 1));
  },
  templates: [
    "Does the digit {d} appear at least twice?",
    "Answer yes if {w} occurs two or more times, otherwise no.",
    "Check whether the number {d} is repeated in the sequence.",
    "Say yes when there are at least two {w}s.",
    "Is the count of {d} in the list two or more?",
    "Detect a repeated digit {w}."
  ]
};
var maxAtLeast = {
  name: "maxAtLeast",
  args: [3, 4, 5, 6, 7, 8],
  answer: (s, t) => Math.max(...s) >= t,
  sample: (rng, t, wanted) => {
    const s = sequenceOf(() => rng.int(0, t - 1));
    if (wanted) for (let k = rng.int(1, 2); k > 0; k--) s[rng.int(0, SEQUENCE_LENGTH - 1)] = rng.int(t, DIGITS - 1);
    return s;
  },
  templates: [
    "Is the largest digit at least {d}?",
    "Answer yes if some number is {w} or more, otherwise no.",
    "Check whether the maximum of the sequence reaches {d}.",
    "Say yes when any digit is greater than or equal to {w}.",
    "Does the biggest element reach the threshold {d}?",
    "Detect a value of at least {w}."
  ]
};
var minAtMost = {
  name: "minAtMost",
  args: [1, 2, 3, 4, 5, 6],
  answer: (s, t) => Math.min(...s) <= t,
  sample: (rng, t, wanted) => {
    const s = sequenceOf(() => rng.int(t + 1, DIGITS - 1));
    if (wanted) for (let k = rng.int(1, 2); k > 0; k--) s[rng.int(0, SEQUENCE_LENGTH - 1)] = rng.int(0, t);
    return s;
  },
  templates: [
    "Is the smallest digit at most {d}?",
    "Answer yes if some number is {w} or less, otherwise no.",
    "Check whether the minimum of the sequence is below or equal to {d}.",
    "Say yes when any digit is less than or equal to {w}.",
    "Does the lowest element fall to the threshold {d}?",
    "Detect a value of at most {w}."
  ]
};
var OPERATIONS = [
  contains,
  absent,
  positional("first", 0, "starts", "first"),
  positional("last", SEQUENCE_LENGTH - 1, "ends", "last"),
  twice,
  maxAtLeast,
  minAtMost
];

// ../../work/main/examples/demo/src/tasks/random.ts
function createRng(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = state + 1831565813 >>> 0;
    let t = state;
    t = Math.imul(t ^ t >>> 15, t | 1);
    t ^= t + Math.imul(t ^ t >>> 7, t | 61);
    return ((t ^ t >>> 14) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    normal: () => {
      const u = 1 - next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    }
  };
}
function deriveSeed(label, seed) {
  let h = 2166136261 ^ seed >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

// ../../work/main/examples/demo/src/tasks/family.ts
var DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
var describe = (template, arg) => template.replaceAll("{d}", String(arg)).replaceAll("{w}", DIGIT_WORDS[arg]);
function listTasks() {
  return OPERATIONS.flatMap(
    (operation) => operation.args.map((arg) => ({
      id: `${operation.name}-${arg}`,
      operation,
      arg,
      descriptions: operation.templates.map((t) => describe(t, arg))
    }))
  );
}
function taskById(id) {
  const task = listTasks().find((t) => t.id === id);
  if (!task) throw new RangeError(`unknown task '${id}'; known tasks: ${listTasks().map((t) => t.id).join(", ")}`);
  return task;
}
function writeExample(task, rng, prompt, inputs, row) {
  const sequence = task.operation.sample(rng, task.arg, rng.next() < 0.5);
  const offset = row * INPUT_LENGTH;
  inputs.set(sequence, offset);
  inputs[offset + SEQUENCE_LENGTH] = prompt === "task" ? OPERATION_TOKENS[task.operation.name] : UNKNOWN_TOKEN;
  inputs[offset + SEQUENCE_LENGTH + 1] = prompt === "task" ? task.arg : UNKNOWN_TOKEN;
  return task.operation.answer(sequence, task.arg) ? 1 : 0;
}
function taskExamples(task, split, seed, count2, prompt = "neutral") {
  const rng = createRng(deriveSeed(`${task.id}/${split}`, seed));
  const inputs = new Int32Array(count2 * INPUT_LENGTH);
  const labels = new Int32Array(count2);
  for (let i = 0; i < count2; i++) labels[i] = writeExample(task, rng, prompt, inputs, i);
  return { inputs, labels, count: count2 };
}
function mixtureExamples(tasks, seed, count2) {
  const rng = createRng(deriveSeed("mixture", seed));
  const inputs = new Int32Array(count2 * INPUT_LENGTH);
  const labels = new Int32Array(count2);
  for (let i = 0; i < count2; i++) labels[i] = writeExample(tasks[rng.int(0, tasks.length - 1)], rng, "task", inputs, i);
  return { inputs, labels, count: count2 };
}

// ../../work/main/examples/demo/src/base/train-base.ts
async function trainBaseModel(opts) {
  const batchSize = opts.batchSize ?? 64;
  const variables = variablesOf(initialWeights(opts.config, createRng(deriveSeed("base/init", opts.seed))));
  const validation = mixtureExamples(opts.tasks, deriveSeed("base/validation", opts.seed), 1024);
  const validationInputs = inputsTensor(validation);
  try {
    const result = await trainLoop({
      variables: [...variables.values()],
      logits: (inputs) => forward(inputs, variables, opts.config),
      batch: (step) => mixtureExamples(opts.tasks, deriveSeed(`base/batch/${step}`, opts.seed), batchSize),
      steps: opts.steps ?? 3e3,
      learningRate: opts.learningRate ?? 3e-3,
      validation: {
        every: 250,
        target: opts.targetAccuracy ?? 0.97,
        accuracy: async () => {
          const logits = tf5.tidy(() => forward(validationInputs, variables, opts.config));
          const accuracy = await accuracyOf(logits, validation.labels);
          logits.dispose();
          return accuracy;
        }
      },
      onProgress: opts.onProgress
    });
    return { weights: await tableOf(variables), ...result };
  } finally {
    validationInputs.dispose();
    disposeTensors(variables);
  }
}

// ../../work/main/examples/demo/src/lora/train-lora.ts
import * as tf7 from "@tensorflow/tfjs";

// ../../work/main/examples/demo/src/eval/accuracy.ts
import * as tf6 from "@tensorflow/tfjs";
async function evaluateAccuracy(weights, config, task, opts) {
  const examples = taskExamples(task, opts.split ?? "test", opts.seed, opts.count ?? 512, opts.prompt ?? "neutral");
  const logits = tf6.tidy(() => forward(inputsTensor(examples), weights, config, opts.lora));
  try {
    return await accuracyOf(logits, examples.labels);
  } finally {
    logits.dispose();
  }
}

// ../../work/main/examples/demo/src/lora/adapter-naming.ts
var BASE_MODEL_NAME = "loragen-demo-base";
var PEFT_PREFIX = "base_model.model.";
var peftModuleName = (path) => `${PEFT_PREFIX}${path}`;
var libraryAdapterConfig = (rank, alpha, projections) => ({
  peft_type: "LORA",
  r: rank,
  lora_alpha: alpha,
  use_rslora: false,
  target_modules: projections.map((p) => `${p}_proj`),
  fan_in_fan_out: false,
  bias: "none",
  base_model_name_or_path: BASE_MODEL_NAME,
  task_type: null
});

// ../../work/main/examples/demo/src/lora/train-lora.ts
async function trainTaskLora(opts) {
  const rank = opts.rank ?? 4;
  const alpha = opts.alpha ?? 8;
  const projections = opts.projections ?? ["q", "v"];
  const { width } = opts.config;
  const rng = createRng(deriveSeed(`lora/init/${opts.task.id}`, opts.seed));
  const bound = 1 / Math.sqrt(width);
  const paths = Array.from({ length: opts.config.layers }, (_, l) => projections.map((p) => projectionPath(l, p))).flat();
  const factors = paths.map((path) => {
    const a = Float32Array.from({ length: rank * width }, () => (2 * rng.next() - 1) * bound);
    return {
      path,
      A: tf7.variable(tf7.tensor2d(a, [rank, width]), true, `lora/${path}/A`),
      B: tf7.variable(tf7.zeros([width, rank]), true, `lora/${path}/B`)
    };
  });
  const sidePaths = new Map(factors.map((f) => [f.path, { A: f.A, B: f.B, scaling: alpha / rank }]));
  const baseTensors = tensorsOf(opts.base);
  try {
    const batchSize = opts.batchSize ?? 64;
    const result = await trainLoop({
      variables: factors.flatMap((f) => [f.A, f.B]),
      logits: (inputs) => forward(inputs, baseTensors, opts.config, sidePaths),
      batch: (step) => taskExamples(opts.task, "train", deriveSeed(`lora/batch/${step}`, opts.seed), batchSize),
      steps: opts.steps ?? 600,
      learningRate: opts.learningRate ?? 0.01,
      validation: {
        every: 50,
        target: opts.targetAccuracy ?? 0.99,
        accuracy: () => evaluateAccuracy(baseTensors, opts.config, opts.task, { split: "validation", seed: opts.seed, lora: sidePaths })
      },
      onProgress: opts.onProgress
    });
    const modules = await Promise.all(
      factors.map(async (f) => ({
        name: peftModuleName(f.path),
        rank,
        alpha,
        scaling: alpha / rank,
        dIn: width,
        dOut: width,
        A: await f.A.data(),
        B: await f.B.data()
      }))
    );
    return { adapter: { config: libraryAdapterConfig(rank, alpha, projections), modules }, ...result };
  } finally {
    disposeTensors(baseTensors);
    for (const f of factors) {
      f.A.dispose();
      f.B.dispose();
    }
  }
}

// ../../work/main/examples/demo/src/model/config.ts
var DEFAULT_BASE_MODEL_CONFIG = {
  layers: 4,
  width: 32,
  heads: 4,
  mlpWidth: 64,
  vocabularySize: VOCABULARY_SIZE,
  inputLength: INPUT_LENGTH,
  classes: 2
};

// trial.ts
async function main() {
  await tf8.setBackend("wasm");
  const config = { ...DEFAULT_BASE_MODEL_CONFIG };
  let base;
  if (fs.existsSync("/tmp/scratch/base.json")) {
    const raw = JSON.parse(fs.readFileSync("/tmp/scratch/base.json", "utf8"));
    base = new Map(raw.map(([n, s, v]) => [n, { shape: s, values: Float32Array.from(v) }]));
  } else {
    const t0 = Date.now();
    const r = await trainBaseModel({ config, tasks: listTasks(), seed: 1, steps: 3e3, targetAccuracy: 0.98, onProgress: (p) => console.log(JSON.stringify(p)) });
    console.log("base", r.accuracy, r.steps, (Date.now() - t0) / 1e3);
    base = r.weights;
    fs.writeFileSync("/tmp/scratch/base.json", JSON.stringify([...base].map(([n, w]) => [n, w.shape, Array.from(w.values)])));
  }
  const bt = tensorsOf(base);
  for (const id of process.argv.slice(2)) {
    const task = taskById(id);
    const t0 = Date.now();
    const prompted = await evaluateAccuracy(bt, config, task, { seed: 1, prompt: "task" });
    const neutral = await evaluateAccuracy(bt, config, task, { seed: 1 });
    const r = await trainTaskLora({ base, config, task, seed: 1, onProgress: (p) => p.accuracy !== void 0 && console.log(id, JSON.stringify(p)) });
    console.log(id, "prompted", prompted, "neutral", neutral, "lora val", r.accuracy, "steps", r.steps, (Date.now() - t0) / 1e3, "s");
  }
}
main();
