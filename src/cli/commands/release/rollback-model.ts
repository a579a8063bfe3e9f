import { rollbackCommand } from './rollback.ts'

export default rollbackCommand('rollback-model')
