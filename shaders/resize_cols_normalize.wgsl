// Pass 2 of preprocessing: resample the columns of pass 1's output to the output height, then
// normalize per channel ((v - mean) / std) and write the model input, NCHW f32, 3 channels.
// Params, ImageInfo, WG_X and WG_Y come from batch_layout.wgsl.

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> images: array<ImageInfo>;
@group(0) @binding(2) var<storage, read> tap_index: array<vec2u>;
@group(0) @binding(3) var<storage, read> tap_weight: array<f32>;
@group(0) @binding(4) var<storage, read> tmp: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let x = gid.x;
  let y = gid.y;
  let i = gid.z;
  if (x >= params.out_w || y >= params.out_h || i >= params.n_images) { return; }
  let img = images[i];
  let tap = tap_index[img.y_index + y];
  let w0 = img.y_weight + y * img.y_stride;
  var acc = 0.0;
  for (var k = 0u; k < tap.y; k++) {
    acc += tap_weight[w0 + k] * tmp[img.tmp_offset + (tap.x + k) * params.out_w + x];
  }
  let plane = params.out_w * params.out_h;
  let base = i * 3u * plane + y * params.out_w + x;
  out[base] = (acc - params.mean.x) / params.stddev.x;
  out[base + plane] = (acc - params.mean.y) / params.stddev.y;
  out[base + 2u * plane] = (acc - params.mean.z) / params.stddev.z;
}
