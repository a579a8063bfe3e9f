// Lets Node run the TypeScript sources directly: TypeScript through tsx, `.wgsl` as strings.
import { register } from 'node:module'
import { register as registerTsx } from 'tsx/esm/api'

registerTsx()
register('./wgsl-loader.mjs', import.meta.url)
