import { Type } from '@sinclair/typebox';

/** Every error body the broker sends: a stable code for programs and a sentence for people. */
export const ErrorBody = Type.Object({
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

/** Responses every authenticated route can give besides its own. */
export const AuthErrors = { 401: ErrorBody } as const;

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

