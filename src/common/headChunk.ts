// The chunked output head (engine/loss/logps.ts) and the memory plan (server/service/memoryPlan.ts)
// share its size: the logits it holds at once. The engine applies the head in chunks of rows under
// gradient checkpointing and without gradients; otherwise it makes the whole logits [N, V] at once.

/** Logit values per chunk: 2²⁴ (64 MiB of float32), 341 rows at SmolLM2's vocabulary of 49152. */
export const HEAD_CHUNK_VALUES = 2 ** 24;

/** Rows of N per chunk for a vocabulary of V (`values` per chunk). */
export const headChunkRows = (N: number, V: number, values = HEAD_CHUNK_VALUES): number => Math.max(1, Math.min(N, Math.floor(values / V)));
