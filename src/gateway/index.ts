/** The gateway (`xrayops gateway`): the public entry, forwarding to the live colour. Never imports inference or gpu. */
export { createGatewayApp } from './app.ts'
export { GatewayContext } from './context.ts'
export { COLOUR_HEADER, GENERATION_HEADER } from './routes/forward.ts'
export { createGateway, exitOnSignals, type RunningGateway, startGateway } from './serve.ts'
