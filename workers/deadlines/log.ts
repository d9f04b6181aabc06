/** The logging the workers need (pino's Logger fits; tests pass a silent one). */
export type WorkerLog = {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
};

export const silentLog: WorkerLog = { info() {}, warn() {}, error() {} };
