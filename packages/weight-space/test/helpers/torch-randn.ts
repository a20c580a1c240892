// torch.randn on the CPU, re-implemented from PyTorch's source (aten/src/ATen/core/TransformationHelper.h,
// native/cpu/DistributionTemplates.h): a 32-bit Mersenne Twister seeded like torch.manual_seed, float32 uniforms
// of 24 bits, then Box-Muller on blocks of 16 (first 8 as radii, last 8 as angles), the last block recomputed
// from fresh uniforms when the size is not a multiple of 16. Matches torch 1.13 to about 1 ulp (its AVX2 path
// rounds log/sin/cos differently), so test inputs can be the anchors' own seeded inputs.

/** The generator behind torch.manual_seed(seed): next() gives the next 32-bit output. */
export function torchGenerator(seed: number): { next(): number } {
  const state = new Uint32Array(624);
  let index = 624;
  state[0] = seed >>> 0;
  for (let i = 1; i < 624; i++) {
    const prev = state[i - 1] ^ (state[i - 1] >>> 30);
    state[i] = (Math.imul(1812433253, prev) + i) >>> 0;
  }
  const twist = () => {
    for (let i = 0; i < 624; i++) {
      const y = (state[i] & 0x80000000) | (state[(i + 1) % 624] & 0x7fffffff);
      state[i] = state[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    index = 0;
  };
  return {
    next() {
      if (index >= 624) twist();
      let y = state[index++];
      y ^= y >>> 11;
      y ^= (y << 7) & 0x9d2c5680;
      y ^= (y << 15) & 0xefc60000;
      y ^= y >>> 18;
      return y >>> 0;
    },
  };
}

const f = Math.fround;

/** torch.randn(size) (float32, contiguous, size >= 16) drawn from `generator`, times `scale` in float32. */
export function torchRandn(generator: { next(): number }, size: number, scale = 1): Float32Array {
  const data = new Float32Array(size);
  const uniform = () => f((generator.next() & 0xffffff) * 2 ** -24);
  for (let i = 0; i < size; i++) data[i] = uniform();
  const boxMuller16 = (at: number) => {
    for (let j = 0; j < 8; j++) {
      const radius = f(Math.sqrt(f(-2 * f(Math.log(f(1 - data[at + j]))))));
      const theta = f(f(2 * Math.PI) * data[at + j + 8]);
      data[at + j] = f(radius * f(Math.cos(theta)));
      data[at + j + 8] = f(radius * f(Math.sin(theta)));
    }
  };
  for (let i = 0; i + 16 <= size; i += 16) boxMuller16(i);
  if (size % 16 !== 0) {
    for (let i = size - 16; i < size; i++) data[i] = uniform();
    boxMuller16(size - 16);
  }
  if (scale !== 1) for (let i = 0; i < size; i++) data[i] = f(data[i] * scale);
  return data;
}
