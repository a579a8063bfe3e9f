/** Grow-only GPU buffers, one per role, reused across batches; counts the bytes held. */
export class BufferPool {
  private readonly buffers = new Map<string, GPUBuffer>()
  constructor(private readonly device: GPUDevice, private readonly label: string) {}

  /** A buffer of at least `size` bytes for `role`, with `data` written at offset 0 if given. */
  get(role: string, size: number, usage: number, data?: ArrayBufferView): GPUBuffer {
    const need = Math.max(16, Math.ceil(size / 16) * 16)
    let buf = this.buffers.get(role)
    if (!buf || buf.size < need) {
      buf?.destroy()
      buf = this.device.createBuffer({ label: `${this.label}.${role}`, size: need, usage })
      this.buffers.set(role, buf)
    }
    if (data) this.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength) // sizes are multiples of 4
    return buf
  }

  get bytes(): number {
    let n = 0
    for (const b of this.buffers.values()) n += b.size
    return n
  }

  destroy(): void {
    for (const b of this.buffers.values()) b.destroy()
    this.buffers.clear()
  }
}

/** Copies `size` bytes of a GPU buffer back to the host. */
export async function readBuffer(device: GPUDevice, src: GPUBuffer, size: number): Promise<ArrayBuffer> {
  const staging = device.createBuffer({ label: 'readback', size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST })
  const encoder = device.createCommandEncoder({ label: 'readback' })
  encoder.copyBufferToBuffer(src, 0, staging, 0, size)
  device.queue.submit([encoder.finish()])
  await staging.mapAsync(GPUMapMode.READ)
  const copy = staging.getMappedRange().slice(0)
  staging.unmap()
  staging.destroy()
  return copy
}
