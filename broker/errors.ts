import { Type } from '@sinclair/typebox';

/** Every error body the broker sends: a stable code for programs and a sentence for people. */
export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

/** Responses every authenticated route can give besides its own (503: the account database is unreachable). */
export const AuthErrors = { 401: ErrorBody, 503: ErrorBody } as const;

/** An error a route means to send as it is. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}


/** The account database cannot be reached (down, restarting, too slow): 503 with a sentence, and the broker carries on. */
export class StorageUnavailableError extends ApiError {
  constructor() {
    super(503, 'unavailable', 'The broker cannot reach its account database right now. Try again in a few seconds.', 5);
  }
}
