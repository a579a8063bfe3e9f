export interface Confusion {
  tp: number
  tn: number
  fp: number
  fn: number
}

export interface BinaryMetrics {
  n: number
  threshold: number
  accuracy: number
  sensitivity: number
  specificity: number
  auc: number
  confusion: Confusion
}

/** Area under the ROC curve (Mann-Whitney U, ties counted half). */
export function rocAuc(scores: number[], positive: boolean[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b])
  const ranks = new Float64Array(scores.length)
  for (let i = 0; i < idx.length; ) {
    let j = i
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++
    for (let k = i; k <= j; k++) ranks[idx[k]] = (i + j) / 2 + 1
    i = j + 1
  }
  const nPos = positive.filter(Boolean).length
  const nNeg = positive.length - nPos
  if (nPos === 0 || nNeg === 0) return Number.NaN
  let rankSum = 0
  positive.forEach((p, i) => {
    if (p) rankSum += ranks[i]
  })
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg)
}

export function binaryMetrics(scores: number[], positive: boolean[], threshold: number): BinaryMetrics {
  const c: Confusion = { tp: 0, tn: 0, fp: 0, fn: 0 }
  scores.forEach((s, i) => {
    const predicted = s >= threshold
    if (predicted && positive[i]) c.tp++
    else if (predicted) c.fp++
    else if (positive[i]) c.fn++
    else c.tn++
  })
  const n = scores.length
  return {
    n,
    threshold,
    accuracy: (c.tp + c.tn) / n,
    sensitivity: c.tp / (c.tp + c.fn),
    specificity: c.tn / (c.tn + c.fp),
    auc: rocAuc(scores, positive),
    confusion: c,
  }
}
