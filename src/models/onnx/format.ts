/** Model files that are not ONNX but are often mistaken for it, refused with what to do instead. */
import path from 'node:path'
import { XrayError } from '../../errors/index.ts'

const TORCH_EXTENSIONS = new Set(['.pth', '.pt', '.ckpt', '.tar'])

/** torch.save writes a zip archive (PyTorch >= 1.6) or, before that, a pickle stream. */
const looksLikeTorch = (b: Uint8Array) =>
  (b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04) || (b[0] === 0x80 && b[1] >= 2 && b[1] <= 5)

export const torchExportHelp = (file: string) =>
  `${file} is a PyTorch checkpoint, not an ONNX model. Export it to ONNX first, with the input and outputs the server expects:\n` +
  `    model.eval()\n` +
  `    torch.onnx.export(model, torch.randn(1, 3, 224, 224), "model.onnx", opset_version=17,\n` +
  `                      input_names=["input"], output_names=["logits", "cam"],\n` +
  `                      dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}, "cam": {0: "N"}})\n` +
  `  (input float32 [N,3,H,W] with H = W = 224 for EfficientNet-B0, 380 for B4; outputs logits [N,2] and\n` +
  `  class activation maps cam [N,2,h,w]), then register model.onnx.`

/** Throws MODEL_NOT_ONNX for a PyTorch checkpoint, by name or by content. */
export function refuseNonOnnx(file: string, head: Uint8Array): void {
  if (TORCH_EXTENSIONS.has(path.extname(file).toLowerCase()) || looksLikeTorch(head)) throw new XrayError('MODEL_NOT_ONNX', torchExportHelp(file))
}
