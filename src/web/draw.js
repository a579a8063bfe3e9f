// The heatmap view: the image as the server decoded it, with the colour layer drawn over it at
// the chosen opacity. The layer's alpha is the heat, so this gives
// gray * (1 - opacity * h) + colour * opacity * h, the server's own overlay formula.

const load = (base64) =>
  new Promise((resolve, reject) => {
    const img = new Image()
    img.onload = () => resolve(img)
    img.onerror = () => reject(new Error('the server sent an image the browser cannot read'))
    img.src = `data:image/png;base64,${base64}`
  })

/** Loads both layers of a heatmap answer. */
export async function loadLayers(heatmap) {
  const [image, heat] = await Promise.all([load(heatmap.layers.image), load(heatmap.layers.heat)])
  return { image, heat, width: heatmap.width, height: heatmap.height }
}

/** Draws the layers on `canvas` with the heat at `opacity` (0..1). */
export function draw(canvas, layers, opacity) {
  canvas.width = layers.width
  canvas.height = layers.height
  const ctx = canvas.getContext('2d')
  ctx.globalAlpha = 1
  ctx.drawImage(layers.image, 0, 0)
  ctx.globalAlpha = opacity
  ctx.drawImage(layers.heat, 0, 0)
  ctx.globalAlpha = 1
}
