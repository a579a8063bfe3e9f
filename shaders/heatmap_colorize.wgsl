// Pass 2 of the heatmap: colour-maps h (inferno, linear between the 256 entries) and blends it
// over the grayscale image with alpha = opacity * h. Writes the overlay (RGBA8, alpha 255) and
// the bare layer (RGBA8, colour with alpha h), one u32 per pixel, R in the low byte.
// The CPU reference is src/heatmap/cpu.ts (colorizeRows).

@group(0) @binding(0) var<uniform> params: HeatParams;
@group(0) @binding(1) var<storage, read> heat: array<f32>;
@group(0) @binding(2) var<storage, read> gray: array<u32>;          // u8, 4 per word
@group(0) @binding(3) var<storage, read> lut: array<vec4f>;         // 256 colours, rgb in 0..1
@group(0) @binding(4) var<storage, read_write> overlay: array<u32>;
@group(0) @binding(5) var<storage, read_write> layer: array<u32>;

fn colour(h: f32) -> vec3f {
  let t = clamp(h, 0.0, 1.0) * 255.0;
  let i = min(u32(floor(t)), 254u);
  let f = t - f32(i);
  return lut[i].rgb + (lut[i + 1u].rgb - lut[i].rgb) * f;
}

fn to_byte(v: f32) -> u32 {
  return u32(floor(clamp(v, 0.0, 1.0) * 255.0 + 0.5));
}

fn pack(c: vec4f) -> u32 {
  return to_byte(c.r) | (to_byte(c.g) << 8u) | (to_byte(c.b) << 16u) | (to_byte(c.a) << 24u);
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  if (gid.x >= params.out_w || gid.y >= params.out_h) { return; }
  let i = gid.y * params.out_w + gid.x;
  let h = heat[i];
  let c = colour(h);
  let g = f32((gray[i >> 2u] >> ((i & 3u) * 8u)) & 0xffu) / 255.0;
  let a = params.opacity * h;
  overlay[i] = pack(vec4f(vec3f(g) + (c - vec3f(g)) * a, 1.0));
  layer[i] = pack(vec4f(c, h));
}
