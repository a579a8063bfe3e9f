/**
 * The fuzz corpus (test/helpers/fuzz/) against the model server on a loopback socket: a seeded
 * slice here (FUZZ_SEED, FUZZ_COUNT override it); `npm run fuzz` runs the full 10,000 or more.
 * The server's own metrics decide: no 5xx, no internal error, /health ok throughout, no 200
 * without finite probabilities, and the valid images answering exactly as before.
 */
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { fuzzCorpus, seedImages } from '../helpers/fuzz/corpus.ts'
import { runFuzz } from '../helpers/fuzz/run.ts'
import { answerProblem } from '../helpers/fuzz/verdict.ts'

const SEED = Number(process.env.FUZZ_SEED ?? 20261212)
const COUNT = Number(process.env.FUZZ_COUNT ?? 1000)

describe('fuzzing the model server', () => {
  it('one seed names the whole corpus: the same cases, byte for byte', async () => {
    const images = await seedImages()
    const digest = (seed: number) => {
      const h = createHash('sha256')
      for (const c of fuzzCorpus(seed, 100, images, 'm')) h.update(`${c.index} ${c.category} ${c.kind} ${c.request.path}`).update(c.request.via === 'raw' ? Buffer.concat(c.request.parts.map((p) => Buffer.from(p))) : Buffer.from(c.request.body))
      return h.digest('hex')
    }
    expect(digest(7)).toBe(digest(7))
    expect(digest(7)).not.toBe(digest(8))
  })

  it('the verdict catches a 200 without finite probabilities, a 5xx and an unnamed 4xx', () => {
    expect(answerProblem(200, '/v1/predict', { label: 'NORMAL', probabilities: { NORMAL: null, PNEUMONIA: null } })).toMatch(/finite/)
    expect(answerProblem(200, '/v2/models/m/infer', { outputs: [{ name: 'probabilities', data: [null, null] }] })).toMatch(/probabilities/)
    expect(answerProblem(200, '/v1/predict/batch', { results: [{ ok: false, error: { code: 'INFERENCE_FAILED' } }] })).toMatch(/INFERENCE_FAILED/)
    expect(answerProblem(500, '/v1/predict', { error: { code: 'INFERENCE_FAILED', message: 'x' } })).toMatch(/500/)
    expect(answerProblem(400, '/v1/predict', undefined)).toMatch(/without a JSON error/)
    expect(answerProblem(422, '/v1/predict', { error: { code: 'CORRUPT_IMAGE', message: 'x' } })).toBeUndefined()
    expect(answerProblem(200, '/v1/predict', { label: 'NORMAL', probabilities: { NORMAL: 0.9, PNEUMONIA: 0.1 } })).toBeUndefined()
  })

  it(`${COUNT} cases (seed ${SEED}): no 5xx, no internal error, health ok, finite answers, valid images unchanged`, async () => {
    console.log(`fuzz seed ${SEED}, ${COUNT} cases (reproduce: npm run fuzz -- --seed ${SEED} --count ${COUNT})`)
    const s = await runFuzz({ seed: SEED, count: COUNT, log: console.log })
    console.log(`fuzz: ${s.seconds} s; server: ${JSON.stringify(s.server)}; outcomes: ${JSON.stringify(s.outcomes)}`)
    expect(s.failures).toEqual([])
    expect(s.server.status5xx).toBe(0)
    expect(s.server.internalErrors).toBe(0)
    const total = Object.values(s.outcomes).flatMap((o) => Object.values(o)).reduce((a, b) => a + b, 0)
    expect(total).toBe(COUNT)
    // Every category was reached, each both answered and refused; the integrity refusals occur.
    for (const cat of ['image', 'multipart', 'oip', 'raw', 'dicom']) {
      const o = s.outcomes[cat] ?? {}
      expect(o['200'], `${cat} answered`).toBeGreaterThan(0)
      expect(Object.keys(o).some((k) => k.startsWith('4')), `${cat} refused`).toBe(true)
    }
    for (const code of ['422 CORRUPT_IMAGE', '422 TRUNCATED_IMAGE']) expect(s.outcomes.image?.[code], code).toBeGreaterThan(0)
  }, 600_000)
})
