import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { chromium, type Browser } from 'playwright-core';
import { LoraGen } from '@loragen/core';
import { parsePeftAdapter, type LoraAdapter } from '@loragen/lora-io';
import { activateBackend } from '@loragen/test-utils';
import { serveFolder } from './static-server';

const APP = path.resolve(__dirname, '..');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The flags that give headless Chromium a WebGPU adapter (SwiftShader) on these machines.
const FLAGS = [
  '--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-angle=swiftshader',
  '--use-webgpu-adapter=swiftshader', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run',
];
const DESCRIPTION = 'Say whether the sequence contains the symbol b.';
const SEED = 7;
const STEPS = 12;

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

describe('browser app: generate an adapter on WebGPU in Chromium', () => {
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

  it('downloads a PEFT adapter whose dW matches Node generation for the same seed and description', async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 900, height: 1100 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}?description=${encodeURIComponent(DESCRIPTION)}`);
    await page.waitForFunction(() => ['ready', 'error'].includes(window.loragenState?.phase ?? ''), null, { timeout: 120_000 });
    const ready = await page.evaluate(() => window.loragenState);
    expect(ready).toEqual({ phase: 'ready', backend: 'webgpu' });

    await page.fill('#seed', String(SEED));
    await page.fill('#steps', String(STEPS));
    await page.click('#generate');
    await page.waitForFunction(() => ['done', 'error'].includes(window.loragenState?.phase ?? ''), null, { timeout: 300_000 });
    const done = await page.evaluate(() => window.loragenState);
    expect(done?.error).toBeUndefined();
    expect(errors).toEqual([]);

    const fetchDownload = async (selector: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
      return fs.readFileSync((await download.path())!);
    };
    const weights = await fetchDownload('#download-weights');
    const config = (await fetchDownload('#download-config')).toString('utf8');
    await page.screenshot({ path: path.join(outDir, 'screenshot.png'), fullPage: true });
    await context.close();

    const fromBrowser = parsePeftAdapter(config, weights);
    const model = await LoraGen.load(path.join(APP, 'public', 'model'));
    const fromNode = (await model.generate(DESCRIPTION, { seed: SEED, steps: STEPS })) as LoraAdapter;
    model.dispose();

    expect(fromBrowser.modules.map((m) => m.name)).toEqual(fromNode.modules.map((m) => m.name));
    const cosines = fromBrowser.modules.map((m, i) => deltaCosine(m, fromNode.modules[i]));
    fs.writeFileSync(path.join(outDir, 'cosines.json'), JSON.stringify({ cosines, ms: done?.ms }, null, 2));
    for (const c of cosines) expect(c).toBeGreaterThanOrEqual(0.999);
  });
});
