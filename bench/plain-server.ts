/**
 * The baseline of `npm run bench:http`: the model server a competent developer writes in an
 * afternoon. Hono on @hono/node-server; sharp decodes and resizes to 224x224 in one call
 * (shrink-on-load, its default kernel); onnxruntime-node with its default options runs each
 * request alone (no batching, on the event loop). Same model, same normalisation as xrayops.
 *
 *   node --import ./bin/register.mjs bench/plain-server.ts PORT
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { serve } from '@hono/node-server'
import { Hono } from 'hono'
import * as ort from 'onnxruntime-node'
import sharp from 'sharp'
import { root } from './root.ts'

const manifest = JSON.parse(readFileSync(path.join(root, 'models/pneumonia-efficientnet_b0-v1.json'), 'utf8'))
const session = await ort.InferenceSession.create(path.join(root, 'models', manifest.file))
const { mean, std } = manifest.preprocessing as { mean: number[]; std: number[] }
const S = 224

const app = new Hono()
app.get('/health', (c) => c.json({ status: 'ok' }))
app.post('/v1/predict', async (c) => {
  const body = new Uint8Array(await c.req.arrayBuffer())
  let gray: Buffer
  try {
    gray = await sharp(body).resize(S, S, { fit: 'fill' }).greyscale().raw().toBuffer()
  } catch (e) {
    return c.json({ error: (e as Error).message }, 400)
  }
  const x = new Float32Array(3 * S * S)
  for (let ch = 0; ch < 3; ch++) for (let i = 0; i < S * S; i++) x[ch * S * S + i] = (gray[i]! / 255 - mean[ch]!) / std[ch]!
  const out = await session.run({ [manifest.input.name]: new ort.Tensor('float32', x, [1, 3, S, S]) })
  const [l0, l1] = out.logits.data as Float32Array
  const p1 = 1 / (1 + Math.exp(l0! - l1!))
  return c.json({ label: p1 >= manifest.threshold ? manifest.labels[1] : manifest.labels[0], probabilities: { [manifest.labels[0]]: 1 - p1, [manifest.labels[1]]: p1 }, batch_size: 1 })
})

const port = Number(process.argv[2] ?? 8001)
serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, () => console.log(`plain server on 127.0.0.1:${port}`))
