/** One compute pass: an explicit, labelled bind group layout and a pipeline with override constants. */
export type BindingKind = 'uniform' | 'read-only-storage' | 'storage'

export interface Workgroup {
  x: number
  y: number
}

export class ComputePass {
  private readonly layout: GPUBindGroupLayout
  private readonly pipeline: GPUComputePipeline
  constructor(
    private readonly device: GPUDevice,
    readonly label: string,
    code: string,
    private readonly bindings: readonly BindingKind[],
    readonly wg: Workgroup,
  ) {
    this.layout = device.createBindGroupLayout({
      label: `${label}.bindGroupLayout`,
      entries: bindings.map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })),
    })
    this.pipeline = device.createComputePipeline({
      label: `${label}.pipeline`,
      layout: device.createPipelineLayout({ label: `${label}.pipelineLayout`, bindGroupLayouts: [this.layout] }),
      compute: {
        module: device.createShaderModule({ label: `${label}.shader`, code }),
        entryPoint: 'main',
        constants: { WG_X: wg.x, WG_Y: wg.y },
      },
    })
  }

  /** Binds `buffers` in binding order and covers an x * y * z grid of invocations. */
  run(encoder: GPUCommandEncoder, buffers: GPUBuffer[], [x, y, z]: [number, number, number]): void {
    if (buffers.length !== this.bindings.length) throw new Error(`${this.label}: expected ${this.bindings.length} buffers`)
    const bindGroup = this.device.createBindGroup({
      label: `${this.label}.bindGroup`,
      layout: this.layout,
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    })
    const pass = encoder.beginComputePass({ label: this.label })
    pass.setPipeline(this.pipeline)
    pass.setBindGroup(0, bindGroup)
    pass.dispatchWorkgroups(Math.ceil(x / this.wg.x), Math.ceil(y / this.wg.y), z)
    pass.end()
  }
}
