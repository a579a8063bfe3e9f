// Shared by the heatmap passes (prepended to each by src/heatmap/gpu/): the uniform block
// written by src/heatmap/gpu/heatmap.ts.

struct HeatParams {
  out_w: u32,    // bytes 0..4
  out_h: u32,    // 4..8
  cam_w: u32,    // 8..12
  cam_h: u32,    // 12..16
  opacity: f32,  // 16..20
  _pad0: u32,    // 20..24
  _pad1: u32,    // 24..28
  _pad2: u32,    // 28..32
}                // = 32 bytes

override WG_X: u32;
override WG_Y: u32;
