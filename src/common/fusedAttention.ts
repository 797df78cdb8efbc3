// The fused causal attention (engine/ops/nn.ts; the WGSL kernel in engine/backend/webgpu/attention.ts
// and the native one in engine/backend/native/attention.c) and the memory plan
// (server/service/memoryPlan.ts) share its bound on the head width: the engine routes heads up to it
// through the kernel, and the plan counts no attention maps for them.

/** The widest head the fused kernel takes: the WGSL kernel's per-thread arrays. */
export const FUSED_ATTENTION_MAX_HEAD = 128;
