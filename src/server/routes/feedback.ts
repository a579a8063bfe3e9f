import { Hono } from 'hono'
import { XrayError } from '../../errors/index.ts'
import type { AppEnv, ServerContext } from '../context.ts'

/** Printable text without control characters, 1-200 characters. */
const plain = /^[^\p{Cc}]{1,200}$/u

/**
 * POST /v1/feedback {prediction_id, true_label, reviewer?}: a radiologist's label of a recorded
 * prediction. 201 with the stored label; 404 for a prediction not in the audit trail; 400 for a
 * label the model does not have; 409 when the prediction is already labelled (labels are kept,
 * never replaced); 503 when the audit trail is off.
 */
export function feedbackRoutes(ctx: ServerContext) {
  const app = new Hono<AppEnv>()
  app.post('/v1/feedback', async (c) => {
    const service = ctx.readyService()
    const audit = ctx.host.audit
    if (!audit) throw new XrayError('AUDIT_UNAVAILABLE', 'the audit trail is off (audit.enabled=false): feedback needs the recorded predictions')
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
    if (type !== 'application/json') throw new XrayError('UNSUPPORTED_MEDIA_TYPE', `Content-Type ${JSON.stringify(type || '(none)')} is not accepted; send application/json`)
    const body = (await c.req.json().catch(() => {
      throw new XrayError('BAD_REQUEST', 'the body is not valid JSON')
    })) as Record<string, unknown> | null
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new XrayError('BAD_REQUEST', 'the body must be a JSON object {prediction_id, true_label, reviewer?}')
    const { prediction_id: id, true_label: label, reviewer } = body
    if (typeof id !== 'string' || !plain.test(id)) throw new XrayError('BAD_REQUEST', 'prediction_id must be the id of a prediction (a string of 1-200 characters)')
    const labels = service.model.manifest.labels
    const canonical = typeof label === 'string' ? labels.find((l) => l.toLowerCase() === label.trim().toLowerCase()) : undefined
    if (!canonical) throw new XrayError('BAD_REQUEST', `true_label must be one of ${labels.join(', ')}; got ${JSON.stringify(label ?? null)}`, { details: { allowed: labels } })
    if (reviewer !== undefined && reviewer !== null && (typeof reviewer !== 'string' || !plain.test(reviewer)))
      throw new XrayError('BAD_REQUEST', 'reviewer must be a string of 1-200 characters without control characters (a name or an id of the clinician, never of the patient)')
    const record = audit.feedback({ predictionId: id, trueLabel: canonical, ...(typeof reviewer === 'string' ? { reviewer } : {}) })
    return c.json(record, 201)
  })
  return app
}
