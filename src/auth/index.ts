/** Admin access: tokens in `<state>/tokens.json`; the gateway verifies them with TokenVerifier. */
export { bearerToken, grants, TokenVerifier, type Refusal, type Verdict } from './verify.ts'
export { scopes, type Scope } from './token-file.ts'
export { createToken, listTokens, revokeToken, type TokenInfo } from './tokens.ts'
export { type AuthEnv, requireScope } from './middleware.ts'
