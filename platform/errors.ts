/** An error a person can read, with a stable code the UI and tests can match on. */
export class PeerwallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    /** The HTTP status when the error is a broker answer. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'PeerwallError';
  }
}

/** The `{ code, message }` shape errors travel in across message boundaries. */
export interface ErrorInfo {
  code: string;
  message: string;
}

export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof PeerwallError) return { code: error.code, message: error.message };
  return {
    code: 'internal_error',
    message: 'Something went wrong inside Peerwall. Try again; if it keeps happening, restart the browser.',
  };
}
