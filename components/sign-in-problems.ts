import { HANDLE_RULE, parseHandle } from '@/core/handle';
import { parseBrokerUrl } from '@/platform/broker-url';
import { PeerwallError } from '@/platform/errors';

export type SignInAction = 'sign-in' | 'create';

/** Where a problem is shown: under its field, or for the whole form. */
export type SignInField = 'handle' | 'password' | 'brokerUrl' | 'form';

/** The fields in the order a person meets them (and the first one in error gets focus). */
export const FIELD_ORDER: readonly SignInField[] = ['handle', 'password', 'brokerUrl', 'form'];

export type SignInProblems = Partial<Record<SignInField, string>>;

export interface SignInValues {
  handle: string;
  password: string;
  brokerUrl: string;
}

export const MIN_PASSWORD = 10;

/** Every problem the form can see before asking the broker, one per field. */
export function checkSignIn(action: SignInAction, values: SignInValues): SignInProblems {
  const problems: SignInProblems = {};
  if (!parseHandle(values.handle).ok) problems.handle = HANDLE_RULE;
  if (values.password.length === 0) problems.password = 'Enter your password.';
  else if (action === 'create' && [...values.password].length < MIN_PASSWORD) {
    problems.password = `Choose a password of at least ${MIN_PASSWORD} characters.`;
  }
  const url = parseBrokerUrl(values.brokerUrl);
  if (!url.ok) problems.brokerUrl = url.reason;
  return problems;
}

/** Which field a refusal from the peer host or the broker is about (codes from broker/routes and platform). */
const FIELD_OF_CODE: Readonly<Record<string, SignInField>> = {
  invalid_handle: 'handle',
  handle_taken: 'handle',
  handle_retired: 'handle',
  invalid_password: 'password',
  wrong_password: 'password',
  // The broker does not say which of the two is wrong; the password is the likelier one.
  invalid_credentials: 'password',
  invalid_broker_url: 'brokerUrl',
  broker_unreachable: 'brokerUrl',
  broker_bad_response: 'brokerUrl',
};

/** Places a failed sign-in or sign-up at its field, in words for people. */
export function problemOfError(action: SignInAction, error: unknown): SignInProblems {
  if (!(error instanceof PeerwallError)) return { form: 'Something went wrong. Try again in a moment.' };
  if (error.code === 'handle_taken' && action === 'create') {
    return { handle: 'That handle is taken. If it is yours, choose Sign in; otherwise pick another one.' };
  }
  return { [FIELD_OF_CODE[error.code] ?? 'form']: error.message };
}

/** The first field in error, in the order a person meets them. */
export function firstProblem(problems: SignInProblems): SignInField | null {
  return FIELD_ORDER.find((field) => problems[field] !== undefined) ?? null;
}
