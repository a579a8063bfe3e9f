/**
 * The health listener's port: health.port when set (0: no health listener), else server.port
 * + 1000 (8000 -> 9000; blue 8001 -> 9001), or server.port - 1000 above 64535; with server.port 0
 * (any free port) any free one too. `undefined`: none.
 */
export function healthPort(serverPort: number, setting: number | undefined): number | undefined {
  if (setting === 0) return undefined
  if (setting !== undefined) return setting
  if (serverPort === 0) return 0
  return serverPort + 1000 <= 65535 ? serverPort + 1000 : serverPort - 1000
}
