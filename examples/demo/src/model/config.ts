// The base model's shape. Small enough to pre-train on one CPU core in minutes, large enough to keep
// general features (per-digit and per-position detectors) that a rank-4 LoRA on q and v can re-route.
import { INPUT_LENGTH, VOCABULARY_SIZE } from '../tasks/vocabulary';

/** Shape of the base transformer (pre-norm encoder, RMSNorm, ReLU MLP, read out at the last token). */
export interface BaseModelConfig {
  /** @default 4 */
  layers: number;
  /** Residual width. @default 32 */
  width: number;
  /** @default 4 */
  heads: number;
  /**
   * Key / value heads (grouped-query attention): k and v project to `kvHeads * width / heads`, each shared by
   * `heads / kvHeads` query heads, so k and v are narrower than q. Absent means `heads` (plain multi-head).
   */
  kvHeads?: number;
  /** Hidden width of the MLP. @default 64 */
  mlpWidth: number;
  /** @default VOCABULARY_SIZE (18) */
  vocabularySize: number;
  /** @default INPUT_LENGTH (10) */
  inputLength: number;
  /** Output classes (no, yes). @default 2 */
  classes: number;
}

export const DEFAULT_BASE_MODEL_CONFIG: BaseModelConfig = {
  layers: 4,
  width: 32,
  heads: 4,
  mlpWidth: 64,
  vocabularySize: VOCABULARY_SIZE,
  inputLength: INPUT_LENGTH,
  classes: 2,
};

/** Key / value heads of a config (`heads` unless grouped-query attention narrows them). */
export const kvHeadsOf = (config: BaseModelConfig): number => config.kvHeads ?? config.heads;
