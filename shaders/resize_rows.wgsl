// Pass 1 of preprocessing: resample each source row of every image in the batch to the output
// width, scaling 8-bit luminance to [0, 1]. Images of different sizes share one dispatch.
// Taps (first source index, count, weights) are precomputed per output column on the host.
// Params, ImageInfo, WG_X and WG_Y come from batch_layout.wgsl.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> images: array<ImageInfo>;
@group(0) @binding(2) var<storage, read> tap_index: array<vec2u>; // (first, count)
@group(0) @binding(3) var<storage, read> tap_weight: array<f32>;
@group(0) @binding(4) var<storage, read> pixels: array<u32>;      // u8, 4 per word
@group(0) @binding(5) var<storage, read_write> tmp: array<f32>;

fn pixel(byte_index: u32) -> f32 {
  let word = pixels[byte_index >> 2u];
  return f32((word >> ((byte_index & 3u) * 8u)) & 0xffu);
}

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let x = gid.x;
  let y = gid.y;
  let i = gid.z;
  if (x >= params.out_w || i >= params.n_images) { return; }
  let img = images[i];
  if (y >= img.height) { return; }
  let tap = tap_index[img.x_index + x];
  let w0 = img.x_weight + x * img.x_stride;
  let row = img.src_offset + y * img.width + tap.x;
  var acc = 0.0;
  for (var k = 0u; k < tap.y; k++) {
    acc += tap_weight[w0 + k] * pixel(row + k);
  }
  tmp[img.tmp_offset + y * params.out_w + x] = acc / 255.0;
}
