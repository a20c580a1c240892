import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { LoraGen } from '@loragen/core';
import { parsePeftAdapter, type LoraAdapter } from '@loragen/lora-io';
import {
  answerSequences,
  baseModelFromBytes,
  digitsTestExamples,
  EvaluationHarness,
  parseSequence,
  taskById,
  type SequenceAnswer,
} from '@loragen/example-demo/browser';
import { activateBackend } from '@loragen/test-utils';
import { serveFolder } from './static-server';

const APP = path.resolve(__dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The flags that give headless Chromium a WebGPU adapter (SwiftShader) on these machines.
const FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
// A library task named in a wording LoRAGen never trained on (the demo's default), then a task it never saw.
const TASK = 'absent-7';
const HELD_OUT_TASK = 'contains-8';
// Last, a library task in its own words, which the model reproduces: what the committed screenshot shows.
const SHOWN_TASK = 'first-4';
const DESCRIPTION = taskById(TASK).heldOutDescriptions[0];
const SEED = 7;
const STEPS = 12;
const SAMPLES = 4;
const SEQUENCES = ['3 1 4 1 5 9 2 6', '4 0 7 2 8 8 1 5'];
// The page's accuracy panel: the demo's test split (seed 1, 512 examples).
const TEST_SEED = 1;
const TEST_COUNT = 512;

type Results = NonNullable<Window['loragenResults']>;

/** Cosine of two updates scaling * B A, factored: <B1A1, B2A2> = sum((B1^T B2) .* (A1 A2^T)). */
function deltaCosine(x: LoraAdapter['modules'][number], y: LoraAdapter['modules'][number]): number {
  return tf.tidy(() => {
    const inner = (a: typeof x, b: typeof y) => {
      const Ba = tf.tensor2d(a.B, [a.dOut, a.rank]);
      const Bb = tf.tensor2d(b.B, [b.dOut, b.rank]);
      const Aa = tf.tensor2d(a.A, [a.rank, a.dIn]);
      const Ab = tf.tensor2d(b.A, [b.rank, b.dIn]);
      const v = tf.sum(tf.mul(tf.matMul(Ba, Bb, true, false), tf.matMul(Aa, Ab, false, true)));
      return v.mul(a.scaling * b.scaling);
    };
    return tf.div(inner(x, y), tf.sqrt(tf.mul(inner(x, x), inner(y, y)))).dataSync()[0];
  });
}

/** Waits until the page has finished `runs` panel updates (or failed), and returns its results. */
async function settled(page: Page, runs: number): Promise<Results> {
  await page.waitForFunction(
    (n) => window.loragenState?.phase === 'error' || (window.loragenState?.phase === 'done' && (window.loragenResults?.runs ?? 0) >= n),
    runs,
    { timeout: 300_000 },
  );
  const state = await page.evaluate(() => window.loragenState);
  expect(state?.error).toBeUndefined();
  return (await page.evaluate(() => window.loragenResults))!;
}

const demoFile = (rel: string) => fs.readFileSync(path.join(APP, 'public', 'demo', rel));
const taskLora = (id: string) =>
  parsePeftAdapter(demoFile(`library/${id}/adapter_config.json`).toString('utf8'), demoFile(`library/${id}/adapter_model.safetensors`));

describe('browser app: generate an adapter on WebGPU in Chromium, with its confidence, a try-it and an accuracy panel', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof serveFolder>>;
  const outDir = path.join(APP, 'test-output');

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
    if (!fs.existsSync(path.join(APP, 'dist', 'index.html'))) throw new Error('the app is not built: npx nx run @loragen/example-browser:build');
    fs.mkdirSync(outDir, { recursive: true });
    server = await serveFolder(path.join(APP, 'dist'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
    await activateBackend('cpu');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('matches Node: the adapter (cosine), its confidence, the try-it probabilities and the test accuracies', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 900, height: 1100 } });
    const page = await context.newPage();
    // seconds since the start at each stage, kept in results.json
    const started = Date.now();
    const seconds: Record<string, number> = {};
    const mark = (stage: string) => (seconds[stage] = (Date.now() - started) / 1000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}?task=${TASK}`);
    await page.waitForFunction(() => ['ready', 'error'].includes(window.loragenState?.phase ?? ''), null, { timeout: 120_000 });
    expect(await page.evaluate(() => window.loragenState)).toEqual({ phase: 'ready', backend: 'webgpu' });
    expect(await page.inputValue('#description')).toBe(DESCRIPTION);
    mark('page ready');

    await page.fill('#seed', String(SEED));
    await page.fill('#steps', String(STEPS));
    await page.fill('#samples', String(SAMPLES));
    await page.click('#generate');
    const first = await settled(page, 2);
    mark('generated and evaluated in the page');
    const ms = await page.evaluate(() => window.loragenState?.ms);

    const fetchDownload = async (selector: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
      return fs.readFileSync((await download.path())!);
    };
    const weights = await fetchDownload('#download-weights');
    const config = (await fetchDownload('#download-config')).toString('utf8');
    const confidenceText = await page.textContent('#confidence');

    // a typing slip is said beside the box; then a second sequence through the try-it form, then a held-out task
    // from the accuracy panel's list
    await page.fill('#sequence', '1 2 3');
    await page.click('#try-run');
    expect(await (await page.waitForSelector('#try-problem:not([hidden])')).textContent()).toMatch(/type 8 digits/);
    await page.fill('#sequence', SEQUENCES[1]);
    await page.click('#try-run');
    const second = await settled(page, 3);
    expect(await page.isHidden('#try-problem')).toBe(true);
    await page.selectOption('#accuracy-task', HELD_OUT_TASK);
    const third = await settled(page, 5);
    await page.selectOption('#accuracy-task', SHOWN_TASK);
    await settled(page, 7);
    await page.click('#accuracy-describe');
    const shownDescription = await page.inputValue('#description');
    await page.click('#generate');
    const fourth = await settled(page, 9);
    mark('page done');
    await page.screenshot({ path: path.join(outDir, 'screenshot.png'), fullPage: true });
    await context.close();
    expect(errors).toEqual([]);

    // the same computations in Node (cpu)
    const fromBrowser = parsePeftAdapter(config, weights);
    const model = await LoraGen.load(path.join(APP, 'public', 'model'));
    const fromNode = await model.generate(DESCRIPTION, { seed: SEED, steps: STEPS, samples: SAMPLES });
    const shownFromNode = await model.generate(shownDescription, { seed: SEED, steps: STEPS, samples: SAMPLES });
    model.dispose();
    mark('generated in Node');
    expect(fromBrowser.modules.map((m) => m.name)).toEqual(fromNode.adapter.modules.map((m) => m.name));
    const cosines = fromBrowser.modules.map((m, i) => deltaCosine(m, fromNode.adapter.modules[i]));

    // the demo's forward pass on wasm, as the demo's library.test.ts evaluates (on cpu an accuracy took about 15 s here)
    await activateBackend('wasm');
    const { weights: base, config: baseConfig } = baseModelFromBytes(
      demoFile('base-model/config.json').toString('utf8'),
      demoFile('base-model/model.safetensors'),
    );
    const tries = [first.tryIt!, second.tryIt!];
    const nodeTries: Array<{ base: SequenceAnswer; generated: SequenceAnswer }> = [];
    for (const [i, text] of SEQUENCES.entries()) {
      const sequence = parseSequence(text);
      expect(tries[i].sequence).toEqual(sequence);
      const [[b], [g]] = [
        await answerSequences(base, baseConfig, [sequence], null),
        await answerSequences(base, baseConfig, [sequence], fromBrowser),
      ];
      nodeTries.push({ base: b, generated: g });
    }
    const harness = new EvaluationHarness(base, baseConfig, { examples: digitsTestExamples, seed: TEST_SEED, count: TEST_COUNT });
    const accuracies = [];
    for (const id of [TASK, HELD_OUT_TASK, SHOWN_TASK]) {
      const task = taskById(id);
      accuracies.push({
        task: id,
        base: await harness.accuracy(task, null),
        generated: await harness.accuracy(task, fromBrowser),
        generatedInNode: await harness.accuracy(task, id === SHOWN_TASK ? shownFromNode.adapter : fromNode.adapter),
        taskLora: await harness.accuracy(task, taskLora(id)),
      });
    }
    mark('evaluated in Node');
    fs.writeFileSync(
      path.join(outDir, 'results.json'),
      JSON.stringify(
        {
          seconds,
          cosines,
          ms,
          browser: { first, second, third, fourth },
          node: { confidence: fromNode.confidence, shownConfidence: shownFromNode.confidence, tries: nodeTries, accuracies },
        },
        null,
        2,
      ),
    );

    // the adapter
    for (const c of cosines) expect(c).toBeGreaterThanOrEqual(0.99999);
    // its confidence
    const b = first.confidence!;
    const n = fromNode.confidence;
    expect(b.nearestTasks.map((t) => t.task)).toEqual(n.nearestTasks.map((t) => t.task));
    b.nearestTasks.forEach((t, i) => expect(Math.abs(t.similarity - n.nearestTasks[i].similarity)).toBeLessThan(1e-5));
    for (const key of ['score', 'retrieval', 'novelty', 'agreement'] as const) expect(Math.abs(b[key] - n[key])).toBeLessThan(1e-4);
    expect(b.fidelity).toBe(n.fidelity);
    if (b.fidelity === null) expect(confidenceText).toContain('not recorded');
    for (const t of b.nearestTasks) expect(confidenceText).toContain(t.task);
    // the try-it panel
    tries.forEach((t, i) => {
      for (const which of ['base', 'generated'] as const) {
        expect(t[which].label).toBe(nodeTries[i][which].label);
        t[which].probabilities.forEach((p, k) => expect(Math.abs(p - nodeTries[i][which].probabilities[k])).toBeLessThan(1e-5));
      }
    });
    // the accuracy panel, on the library task and on the held-out one
    for (const [i, shown] of [first.accuracy!, third.accuracy!].entries()) {
      const { task, base: baseAcc, generated, taskLora: lora } = accuracies[i];
      expect(shown).toEqual({ task, heldOut: i === 1, base: baseAcc, generated, taskLora: lora });
    }
    // the last generation (its adapter was not downloaded: compared through Node's own generation)
    expect(shownDescription).toBe(taskById(SHOWN_TASK).heldOutDescriptions[0]);
    expect(Math.abs(fourth.confidence!.score - shownFromNode.confidence.score)).toBeLessThan(1e-4);
    const { base: shownBase, generatedInNode, taskLora: shownLora } = accuracies[2];
    expect(fourth.accuracy).toEqual({ task: SHOWN_TASK, heldOut: false, base: shownBase, generated: generatedInNode, taskLora: shownLora });
  }, 900_000);
});
