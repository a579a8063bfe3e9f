// The /ui viewer: pick or drop an X-ray, see the model's answer and its heatmap, send feedback.
import { health, predict, sendFeedback } from './api.js'
import { draw, loadLayers } from './draw.js'
import { describeFlag } from './quality.js'

const $ = (id) => document.getElementById(id)
const fmt = (p) => p.toFixed(3)

let current = null // { prediction, layers }

function setStatus(text, error = false) {
  $('status').textContent = text
  $('status').classList.toggle('error', error)
}

function showModel(model, device) {
  $('model-info').textContent = `Model: ${model.name} v${model.version}${device ? ` on ${device}` : ''}`
}

function showPrediction(p) {
  const prob = p.probabilities.PNEUMONIA
  const above = prob >= p.threshold
  setStatus(`${p.label}: P(pneumonia) ${fmt(prob)}, ${above ? 'at or above' : 'below'} the threshold ${p.threshold}.`)
  $('probability').textContent = fmt(prob)
  $('decision').textContent = `${p.label} (P(pneumonia) ${above ? '≥' : '<'} threshold ${p.threshold})`
  $('model').textContent = `${p.model.name} v${p.model.version} (sha256 ${p.model.sha256.slice(0, 12)}…) on ${p.device}`
  const t = p.timings
  const parts = ['decode', 'queue', 'preprocess', 'inference', 'heatmap'].filter((k) => t[k] !== undefined).map((k) => `${k} ${t[k].toFixed(1)}`)
  $('timings').textContent = `${t.total.toFixed(1)} ms in all (${parts.join(', ')} ms)${p.cached ? ', model answer from the cache' : ''}`
  $('prediction-id').textContent = p.id
  $('heat-note').hidden = above
  $('details').hidden = false
  showModel(p.model, p.device)
  const flags = Array.isArray(p.quality) ? p.quality : null
  $('quality').hidden = !flags
  $('quality-list').replaceChildren(
    ...(flags ?? []).map((f) => Object.assign(document.createElement('li'), { textContent: describeFlag(f) })),
  )
  if (flags && flags.length === 0) $('quality-list').append(Object.assign(document.createElement('li'), { textContent: 'None raised.' }))
}

function redraw() {
  const value = Number($('opacity').value)
  $('opacity-value').textContent = `${value}%`
  $('opacity').setAttribute('aria-valuetext', `${value} percent`)
  if (current) draw($('canvas'), current.layers, value / 100)
}

async function analyse(file) {
  if (!file) return
  current = null
  setStatus('Analysing the image…')
  $('result').setAttribute('aria-busy', 'true')
  $('feedback-status').textContent = ''
  $('feedback').reset()
  try {
    const prediction = await predict(file)
    const layers = await loadLayers(prediction.heatmap)
    current = { prediction, layers }
    showPrediction(prediction)
    $('view').hidden = false
    $('feedback-section').hidden = false
    redraw()
  } catch (e) {
    setStatus(`The image could not be analysed. ${e.message}`, true)
    $('details').hidden = true
    $('quality').hidden = true
    $('view').hidden = true
    $('feedback-section').hidden = true
  } finally {
    $('result').removeAttribute('aria-busy')
  }
}

async function onFeedback(event) {
  event.preventDefault()
  if (!current) return
  const form = new FormData($('feedback'))
  const out = $('feedback-status')
  out.textContent = 'Sending…'
  try {
    const r = await sendFeedback(current.prediction.id, form.get('true_label'), String(form.get('reviewer') ?? '').trim())
    out.textContent = r === 'sent' ? 'Feedback recorded. Thank you.' : 'Feedback is not enabled on this server: nothing was recorded.'
  } catch (e) {
    out.textContent = `Feedback could not be sent. ${e.message}`
  }
}

function setupDrop() {
  const zone = $('drop')
  const over = (on) => (e) => {
    e.preventDefault()
    zone.classList.toggle('over', on)
  }
  zone.addEventListener('dragenter', over(true))
  zone.addEventListener('dragover', over(true))
  zone.addEventListener('dragleave', over(false))
  zone.addEventListener('drop', (e) => {
    over(false)(e)
    analyse(e.dataTransfer?.files?.[0])
  })
}

$('file').addEventListener('change', (e) => analyse(e.target.files[0]))
$('opacity').addEventListener('input', redraw)
$('feedback').addEventListener('submit', onFeedback)
setupDrop()
redraw()
health().then((h) => {
  if (h && h.model) showModel(h.model, h.device && h.device.name)
  else $('model-info').textContent = 'Model: not loaded yet'
})
