// Calls to the model server. Every URL is relative to this page (served at <server>/ui/), so the
// viewer works behind a gateway that serves the model server under a path prefix.

/** Output width asked of the server: enough for a screen, far below the 4096 px limit. */
export const HEATMAP_WIDTH = 1024

const api = (path) => new URL(`../${path}`, document.baseURI)

/** The Content-Type to send: the server decodes by the bytes; DICOM is named so. */
export function contentType(file) {
  if (/\.(dcm|dicom)$/i.test(file.name) || file.type === 'application/dicom') return 'application/dicom'
  if (file.type === 'image/png' || file.type === 'image/jpeg') return file.type
  return 'application/octet-stream'
}

/** An error answer as one sentence: the server's code and message, else the HTTP status. */
async function failure(res) {
  const body = await res.json().catch(() => null)
  const e = body && body.error
  return new Error(e ? `${e.code}: ${e.message}` : `HTTP ${res.status} ${res.statusText}`)
}

/** The prediction with the heatmap layers (the image as decoded and the colour layer). */
export async function predict(file) {
  const url = api(`v1/predict?heatmap=1&layers=1&width=${HEATMAP_WIDTH}`)
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType(file), accept: 'application/json' }, body: file })
  if (!res.ok) throw await failure(res)
  return res.json()
}

/** Model name, version and device from /health (null when it cannot be read). */
export async function health() {
  const res = await fetch(api('health')).catch(() => null)
  return res ? res.json().catch(() => null) : null
}

/** Sends the reviewer's true label. Resolves to 'sent' or 'disabled' (the server has no feedback route). */
export async function sendFeedback(predictionId, trueLabel, reviewer) {
  const body = { prediction_id: predictionId, true_label: trueLabel, ...(reviewer ? { reviewer } : {}) }
  const res = await fetch(api('v1/feedback'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (res.status === 404) {
    const answer = await res.json().catch(() => null)
    // A 404 for the route itself means the feature is off; a 404 about the prediction is an error.
    if (!answer || !answer.error || answer.error.code === 'NOT_FOUND') return 'disabled'
    throw new Error(`${answer.error.code}: ${answer.error.message}`)
  }
  if (!res.ok) throw await failure(res)
  return 'sent'
}
