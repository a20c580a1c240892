// Runs the example on the backends of the test matrix: the spectral loss alone matches the singular values but
// not the direction of dW; adding the angular loss matches both (the paper's ablation, in miniature).
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { fitUpdate } from '../src/fit-update';

describeEachBackend('spectral-loss-only example', () => {
  it('the spectral loss alone fits the singular values, not the direction', async () => {
    const r = await fitUpdate({ objective: 'spectral' });
    expect(r.lastLoss).toBeLessThan(r.firstLoss / 10);
    expectClose(r.fittedSigma, r.targetSigma, { rtol: 0.05 });
    expect(r.angular).toBeGreaterThan(0.5);
  });

  it('angular + spectral fits both', async () => {
    const r = await fitUpdate({ objective: 'angular+spectral', steps: 300 });
    expectClose(r.fittedSigma, r.targetSigma, { rtol: 0.05 });
    expect(r.angular).toBeLessThan(0.02);
  });
});
