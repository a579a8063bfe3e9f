/** One line of `xrayops validate`: what was checked, pass/fail/skip, and why. */
export type Verdict = 'pass' | 'fail' | 'skip'

export interface ValidationCheck {
  name: string
  status: Verdict
  detail: string
}

export const pass = (name: string, detail: string): ValidationCheck => ({ name, status: 'pass', detail })
export const fail = (name: string, detail: string): ValidationCheck => ({ name, status: 'fail', detail })
export const skip = (name: string, detail: string): ValidationCheck => ({ name, status: 'skip', detail })

/** Runs a check; an exception is that check's failure, never the command's crash. */
export async function guarded(name: string, fn: () => Promise<ValidationCheck | ValidationCheck[]>): Promise<ValidationCheck[]> {
  try {
    const r = await fn()
    return Array.isArray(r) ? r : [r]
  } catch (e) {
    return [fail(name, (e as Error).message)]
  }
}
