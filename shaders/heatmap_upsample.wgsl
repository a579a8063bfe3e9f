// Pass 1 of the heatmap: the scaled 7x7 class-activation map (0..1), upsampled bilinearly with
// half-pixel centres, clamped at the edges, to the output size. The CPU reference is
// src/heatmap/cpu.ts (upsampleRows). HeatParams, WG_X and WG_Y come from heatmap_layout.wgsl.

@group(0) @binding(0) var<uniform> params: HeatParams;
@group(0) @binding(1) var<storage, read> cam: array<f32>;          // cam_h x cam_w
@group(0) @binding(2) var<storage, read_write> heat: array<f32>;   // out_h x out_w

// Where output pixel `o` samples the grid: (o + 0.5) * in / out - 0.5, clamped to [0, in - 1].
fn source_coord(o: u32, out_size: u32, in_size: u32) -> f32 {
  let s = (f32(o) + 0.5) * f32(in_size) / f32(out_size) - 0.5;
  return clamp(s, 0.0, f32(in_size - 1u));
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= params.out_w || gid.y >= params.out_h) { return; }
  let sx = source_coord(gid.x, params.out_w, params.cam_w);
  let sy = source_coord(gid.y, params.out_h, params.cam_h);
  let c0 = u32(floor(sx));
  let r0 = u32(floor(sy));
  let c1 = min(c0 + 1u, params.cam_w - 1u);
  let r1 = min(r0 + 1u, params.cam_h - 1u);
  let fx = sx - f32(c0);
  let fy = sy - f32(r0);
  let w = params.cam_w;
  let top = cam[r0 * w + c0] + (cam[r0 * w + c1] - cam[r0 * w + c0]) * fx;
  let bottom = cam[r1 * w + c0] + (cam[r1 * w + c1] - cam[r1 * w + c0]) * fx;
  heat[gid.y * params.out_w + gid.x] = top + (bottom - top) * fy;
}
