import * as tf from '@tensorflow/tfjs';
import { expectClose } from '@loragen/test-utils';
import { createSchedule, SeededRng } from '../src';
import { ddimSolver } from '../src/samplers/ddim';
import { ddpmSolver } from '../src/samplers/ddpm';
import { dpmSolverPp2mSolver } from '../src/samplers/dpm-solver-pp-2m';
import type { Solver } from '../src/samplers/solver';
import { samplingTimesteps } from '../src/samplers/timestep-spacing';

// A solver's `coefficients` (the linear map a recorded run applies) and its `step` (tensor ops) are one rule: over a
// whole run with the same x0 estimates and noise, they give the same x at every step.
describe('solver coefficients equal the solver step', () => {
  const schedule = createSchedule({ kind: 'cosine', timesteps: 300 });
  const abar = schedule.alphasCumprod64;
  const timesteps = samplingTimesteps(abar, 8, 'log-snr');

  test.each([
    ['ddpm', ddpmSolver],
    ['ddim, eta 0', () => ddimSolver(0)],
    ['ddim, eta 0.5', () => ddimSolver(0.5)],
    ['dpm-solver++(2m)', dpmSolverPp2mSolver],
  ] as [string, () => Solver][])('%s', async (_name, make) => {
    const [stepper, planner] = [make(), make()];
    const rng = new SeededRng(3);
    const draw = () => tf.tensor(rng.normals(12), [3, 4]);
    let x = draw();
    let prev: tf.Tensor | null = null;
    for (let i = 0; i < timesteps.length; i++) {
      const [abarT, abarNext] = [abar[timesteps[i]], i + 1 < timesteps.length ? abar[timesteps[i + 1]] : 1];
      const [x0, z] = [draw(), draw()];
      const [a, s] = [Math.sqrt(abarT), Math.sqrt(1 - abarT)];
      const stepped = stepper.step({ xt: x, x0, eps: () => tf.div(tf.sub(x, tf.mul(x0, a)), s), abarT, abarNext, noise: () => z });
      const c = planner.coefficients(abarT, abarNext);
      const mapped = tf.addN([tf.mul(x, c.xt), tf.mul(x0, c.x0), tf.mul(prev ?? tf.zerosLike(x), c.prevX0), tf.mul(z, c.noise)]);
      expectClose(Array.from(await mapped.data()), Array.from(await stepped.data()), { rtol: 1e-5, atol: 1e-6 });
      tf.dispose([x, prev, z, mapped].filter((t): t is tf.Tensor => t !== null));
      [x, prev] = [stepped, x0];
    }
    stepper.dispose();
    tf.dispose([x, prev!]);
  });
});
