// Runs the example on the backends of the test matrix: the spectral loss alone matches the singular values but
// not the direction of dW; adding the angular loss matches both (the paper's ablation, in miniature). The report is
// also checked against a plain float64 SVD of B A, independent of the prepareTarget the fit optimises against.
import { describeEachBackend, expectClose } from '@loragen/test-utils';
import { fitUpdate, type FitReport } from '../src/fit-update';
import { angularDistance, product, singularValues } from './support/float64';

/** The report's numbers recomputed from its factors in float64. */
function independently(r: FitReport) {
  const [target, fitted] = [product(r.target.B, r.target.A), product(r.fitted.B, r.fitted.A)];
  const rank = r.target.A.length;
  return {
    targetSigma: singularValues(target).slice(0, rank),
    fittedSigma: singularValues(fitted).slice(0, rank),
    angular: angularDistance(fitted, target),
  };
}

describe('the float64 reference', () => {
  it('gives known singular values and angles', () => {
    expectClose(
      singularValues([
        [3, 0],
        [0, 4],
        [0, 0],
      ]),
      [4, 3],
      { rtol: 1e-12 },
    );
    // [[1, 1], [1, -1]] is sqrt(2) times a rotation; [[2, 0], [0, 0]] has rank 1
    expectClose(
      singularValues([
        [1, 1],
        [1, -1],
      ]),
      [Math.SQRT2, Math.SQRT2],
      { rtol: 1e-12 },
    );
    expectClose(singularValues(product([[1], [2]], [[2, 0, 0]])), [2 * Math.sqrt(5), 0, 0], { rtol: 1e-12, atol: 1e-12 });
    expectClose([angularDistance([[1, 0]], [[0, 3]]), angularDistance([[1, 2]], [[2, 4]])], [1, 0], { atol: 1e-12 });
  });
});

/**
 * The fitted singular values match the target's, and the angular distance passes `checkAngular`, both as the example
 * reports them and as recomputed in float64 from its factors.
 */
function expectFit(r: FitReport, checkAngular: (angular: number) => void): void {
  expectClose(r.fittedSigma, r.targetSigma, { rtol: 0.05 });
  checkAngular(r.angular);
  const f64 = independently(r);
  expectClose(r.targetSigma, f64.targetSigma, { rtol: 1e-5 });
  expectClose(f64.fittedSigma, f64.targetSigma, { rtol: 0.05 });
  checkAngular(f64.angular);
}

describeEachBackend('spectral-loss-only example', () => {
  it('the spectral loss alone fits the singular values, not the direction', async () => {
    const r = await fitUpdate({ objective: 'spectral' });
    expect(r.lastLoss).toBeLessThan(r.firstLoss / 10);
    expectFit(r, (angular) => expect(angular).toBeGreaterThan(0.5));
  });

  it('angular + spectral fits both', async () => {
    const r = await fitUpdate({ objective: 'angular+spectral', steps: 300 });
    expectFit(r, (angular) => expect(angular).toBeLessThan(0.02));
  });
});
