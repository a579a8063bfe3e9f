// Injected into the CommonJS bundle, where `import.meta` does not exist: `import.meta.url` is
// defined as this value, the file URL of the running file (in the executable, the executable).
import { pathToFileURL } from 'node:url'

export const import_meta_url = pathToFileURL(__filename).href
