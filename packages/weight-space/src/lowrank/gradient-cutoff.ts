/**
 * Singular values at or below this fraction of sigma_1 get a zero gradient, in both implementations: at sigma_i = 0
 * the singular value is not differentiable and 0 is a valid (Clarke) subgradient; just above it float32 cannot
 * resolve u_i, v_i.
 */
export const GRADIENT_CUTOFF = 1e-5;
