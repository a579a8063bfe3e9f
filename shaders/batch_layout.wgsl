// Shared by the preprocessing passes (prepended to each by src/gpu/passes/): the batch layout
// written by src/preprocess/pack.ts and src/gpu/preprocess.ts.

struct Params {
  out_w: u32,      // bytes 0..4
  out_h: u32,      // 4..8
  n_images: u32,   // 8..12
  max_height: u32, // 12..16
  mean: vec4f,     // 16..32 (xyz used)
  stddev: vec4f,   // 32..48 (xyz used)
}                  // = 48 bytes

struct ImageInfo {
  src_offset: u32, // byte offset of the image in `pixels`
  width: u32,
  height: u32,
  tmp_offset: u32, // f32 offset of the image's height x out_w block in `tmp`
  x_index: u32,    // first entry of this image's column taps in `tap_index`
  x_weight: u32,   // first entry of its column weights in `tap_weight`
  x_stride: u32,   // weights per output column
  y_index: u32,
  y_weight: u32,
  y_stride: u32,
}                  // = 40 bytes

override WG_X: u32;
override WG_Y: u32;
