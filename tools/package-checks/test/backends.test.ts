import { runNode } from './run-node';

// These run the built @loragen/core in a plain Node process, where lazy `import()` of
// optional peers behaves exactly as it will for users.
describe('useBackend (built package, plain Node)', () => {
  it("'tensorflow' without tfjs-node installed throws BackendUnavailableError with an install hint", () => {
    const res = runNode(
      `import { useBackend, BackendUnavailableError } from '@loragen/core';
       try { await useBackend('tensorflow'); console.log('NO ERROR'); }
       catch (e) { console.log(JSON.stringify({ typed: e instanceof BackendUnavailableError, name: e.name, hint: e.hint, message: e.message })); }`,
      'esm',
    );
    expect(res.status).toBe(0);
    const out = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(out.typed).toBe(true);
    expect(out.name).toBe('BackendUnavailableError');
    expect(out.message).toContain('@tensorflow/tfjs-node-gpu');
    expect(out.hint).toContain('npm install @tensorflow/tfjs-node-gpu');
  });

  it.each(['cpu', 'wasm'])("'%s' becomes the active backend", (name) => {
    const res = runNode(
      `const { useBackend } = require('@loragen/core');
       const tf = require('@tensorflow/tfjs');
       useBackend('${name}').then(async (b) => {
         const y = await tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).data();
         console.log(JSON.stringify({ b, active: tf.getBackend(), y: Array.from(y) }));
       });`,
      'cjs',
    );
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout.trim().split('\n').pop()!)).toEqual({ b: name, active: name, y: [3, 3, 3, 3] });
  });

  it('LORAGEN_BACKEND names the default, and a bad value is refused with the list of backends', () => {
    const res = runNode(
      `import { defaultBackend } from '@loragen/core';
       process.env.LORAGEN_BACKEND = 'cpu'; const a = defaultBackend();
       delete process.env.LORAGEN_BACKEND; const b = defaultBackend();
       process.env.LORAGEN_BACKEND = 'cuda';
       let c; try { defaultBackend(); } catch (e) { c = e.message; }
       console.log(JSON.stringify({ a, b, c }));`,
      'esm',
    );
    const out = JSON.parse(res.stdout.trim().split('\n').pop()!);
    expect(out.a).toBe('cpu');
    expect(out.b).toBe('wasm');
    expect(out.c).toMatch(/cuda.*cpu, wasm, webgpu, tensorflow/s);
  });

  const wantWebgpu = (process.env.LORAGEN_TEST_BACKENDS ?? '').split(',').includes('webgpu');
  (wantWebgpu ? it : it.skip)("'webgpu' installs Dawn's navigator.gpu and runs a matmul", () => {
    const res = runNode(
      `import { useBackend } from '@loragen/core';
       import * as tf from '@tensorflow/tfjs';
       const b = await useBackend('webgpu');
       const y = await tf.matMul(tf.ones([4, 8]), tf.ones([8, 4])).data();
       console.log(JSON.stringify({ b, sum: y.reduce((s, v) => s + v, 0) }));
       process.exit(0);`,
      'esm',
    );
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout.trim().split('\n').pop()!)).toEqual({ b: 'webgpu', sum: 128 });
  });
});
