/** The seeded PRNG of the fuzz corpus: the DICOM fuzzer's mulberry32, so one seed names every case. */
import { rng } from '../dicom-fuzz.ts'

export { rng }
export type Rng = ReturnType<typeof rng>
