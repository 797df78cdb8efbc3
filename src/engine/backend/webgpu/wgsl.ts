// WGSL snippets shared by our kernels.

/**
 * `acc` (workgroup, 256 floats) and `treeSum(lid, s)`: the sum of `s` over the 256 invocations of a
 * workgroup, returned to all of them. Call it in uniform control flow. The leading barrier keeps a
 * second call from overwriting `acc` before every invocation has read the first result (without it,
 * LayerNorm's variance raced on Mesa llvmpipe: the trailing barrier alone did not order the read).
 */
export const TREE_SUM = /* wgsl */ `
var<workgroup> acc: array<f32, 256>;
fn treeSum(lid: u32, s: f32) -> f32 {
  workgroupBarrier();
  acc[lid] = s;
  workgroupBarrier();
  for (var w = 128u; w > 0u; w >>= 1u) {
    if (lid < w) { acc[lid] += acc[lid + w]; }
    workgroupBarrier();
  }
  let r = acc[0];
  workgroupBarrier();
  return r;
}`;

/**
 * Storage bindings @binding(0..): `reads` (read-only) then `writes` (read_write), f32 arrays unless
 * named `name:i32`, then the uniform struct U as `u` in the last binding, as raw.ts's dispatch binds.
 */
export function bindings(reads: string[], writes: string[]): string {
  const all = [...reads.map((n) => [n, 'read']), ...writes.map((n) => [n, 'read_write'])] as [string, string][];
  const decl = all.map(([spec, mode], i) => {
    const [name, type = 'f32'] = spec.split(':');
    return `@group(0) @binding(${i}) var<storage, ${mode}> ${name}: array<${type}>;`;
  });
  return [...decl, `@group(0) @binding(${all.length}) var<uniform> u: U;`].join('\n');
}
