// One sampling step's update on the GPU, in place over the latent (see `SamplingLoop` for the coefficients, which the
// step's `params` carry): x0 = clip(x0FromXt x + x0FromOutput output); x <- xt x + x0 x0 + prevX0 prev + noise z;
// prev <- x0. Every sampler of this package moves by such a linear map (its `Solver.coefficients`).
import type { KernelSource } from './dit-kernels';

/**
 * @param size elements of the latent
 * @param stochastic whether `noise` holds a standard-normal draw per step, steps `size` apart
 * @param clipX0 bound of |x0|, or undefined
 */
export function solverUpdateKernel(size: number, stochastic: boolean, clipX0: number | undefined): KernelSource {
  const code = `
fn kernel(index : i32) {
  if (index >= ${size}) { return; }
  let i = u32(index);
  let x = latent[i];
  var x0 = params.x0FromXt * x + params.x0FromOutput * prediction[i];
  ${clipX0 === undefined ? '' : `x0 = clamp(x0, ${(-clipX0).toExponential()}, ${clipX0.toExponential()});`}
  var next = params.xt * x + params.x0 * x0 + params.prevX0 * previous[i];
  ${stochastic ? `next = next + params.noise * noise[params.step * ${size}u + i];` : ''}
  previous[i] = x0;
  latent[i] = next;
}`;
  return {
    name: 'LoragenSolverUpdate',
    key: `${size}_${stochastic}_${clipX0}`,
    inputs: ['prediction', ...(stochastic ? ['noise'] : [])],
    outputs: ['latent', 'previous'],
    code,
    workgroups: Math.ceil(size / 64),
  };
}
