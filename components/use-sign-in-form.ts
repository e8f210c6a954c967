import { computed, ref, watch, type Ref } from 'vue';
import { brokerUrlHint } from '@/platform/broker-url';
import type { Credentials } from '@/platform/messages';
import {
  checkSignIn,
  firstProblem,
  problemOfError,
  type SignInAction,
  type SignInField,
  type SignInProblems,
} from './sign-in-problems';

export interface SignInFormDeps {
  createAccount(credentials: Credentials): Promise<void>;
  signIn(credentials: Credentials): Promise<void>;
  /** True while the peer host works on any account action. */
  busy: Readonly<Ref<boolean>>;
  /** The Broker URL to prefill: the one last used, else the build's default. */
  brokerUrlDefault: Readonly<Ref<string>>;
  /** True once this browser has signed in to some account: Sign in is then the likelier wish. */
  signedInBefore: Readonly<Ref<boolean>>;
  /** Moves focus to a field once the page shows its problem. */
  focus(field: SignInField): void;
}

/**
 * The sign-in form's state and rules: Enter does the primary action (Create account for a browser
 * that never signed in, Sign in after), each problem sits at its field, and a problem with the
 * broker opens the folded Advanced section so its field and error can be seen.
 */
export function useSignInForm(deps: SignInFormDeps) {
  const handle = ref('');
  const password = ref('');
  const brokerUrl = ref(deps.brokerUrlDefault.value);
  const problems = ref<SignInProblems>({});
  const pending = ref<SignInAction | null>(null);
  const advancedOpen = ref(false);

  const primary = computed<SignInAction>(() => (deps.signedInBefore.value ? 'sign-in' : 'create'));
  /** The buttons in page order; the first is the form's submit button, so Enter does it. */
  const actions = computed<SignInAction[]>(() => (primary.value === 'create' ? ['create', 'sign-in'] : ['sign-in', 'create']));
  const brokerUrlUsed = computed(() => brokerUrlHint(brokerUrl.value));

  // Follow the remembered Broker URL until the person edits the field.
  let brokerUrlEdited = false;
  function markBrokerUrlEdited(): void {
    brokerUrlEdited = true;
  }
  watch(deps.brokerUrlDefault, (value) => {
    if (!brokerUrlEdited) brokerUrl.value = value;
  });

  // A field's problem goes once the person changes that field.
  function clearOnEdit(field: SignInField, value: Ref<string>): void {
    watch(value, () => {
      if (problems.value[field] === undefined) return;
      const rest = { ...problems.value };
      delete rest[field];
      problems.value = rest;
    });
  }
  clearOnEdit('handle', handle);
  clearOnEdit('password', password);
  clearOnEdit('brokerUrl', brokerUrl);

  function show(found: SignInProblems): void {
    problems.value = found;
    if (found.brokerUrl !== undefined) advancedOpen.value = true;
    const first = firstProblem(found);
    if (first && first !== 'form') deps.focus(first);
  }

  async function submit(action: SignInAction): Promise<void> {
    if (deps.busy.value || pending.value) return;
    const found = checkSignIn(action, { handle: handle.value, password: password.value, brokerUrl: brokerUrl.value });
    show(found);
    if (firstProblem(found)) return;
    pending.value = action;
    const credentials = { handle: handle.value, password: password.value, brokerUrl: brokerUrl.value };
    try {
      if (action === 'create') await deps.createAccount(credentials);
      else await deps.signIn(credentials);
      password.value = '';
    } catch (caught) {
      show(problemOfError(action, caught));
    } finally {
      pending.value = null;
    }
  }

  return {
    handle,
    password,
    brokerUrl,
    brokerUrlUsed,
    problems,
    pending,
    advancedOpen,
    primary,
    actions,
    markBrokerUrlEdited,
    submit,
  };
}
