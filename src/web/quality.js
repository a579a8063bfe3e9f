// What each input-quality flag of an answer means, in words a reader can act on.
const meanings = {
  upsampled: 'The image is smaller than the model input and was enlarged.',
  colour: 'A colour image: X-rays are gray, so it was converted to luminance.',
  inverted: 'The image looks inverted (bone dark, air bright).',
  near_constant: 'The image is nearly uniform: little for the model to see.',
  non_chest: 'The DICOM header names a body part other than the chest.',
  lateral_view: 'A lateral view: the model was trained on frontal (PA/AP) views only.',
}

/** A sentence for a flag (the flag itself when it is new to this viewer). */
export const describeFlag = (flag) => meanings[flag] ?? `Flag: ${flag}`
