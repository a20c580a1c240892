import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { fitUpdate } from './fit-update';

await tf.setBackend('wasm');
for (const objective of ['spectral', 'angular+spectral'] as const) {
  const r = await fitUpdate({ objective, steps: 300 });
  const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  console.log(`${objective}: loss ${r.firstLoss.toFixed(3)} -> ${r.lastLoss.toFixed(4)}`);
  console.log(`  singular values: target [${fmt(r.targetSigma)}], fitted [${fmt(r.fittedSigma)}]`);
  console.log(`  1 - cos(dW_fit, dW_target) = ${r.angular.toFixed(3)}`);
}
