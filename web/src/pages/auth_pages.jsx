// auth_pages.jsx: sign in and sign up. Both send the visitor back where they came from
// (?next=, same-site paths only) and the API merges their guest cart on the way.
import { useEffect, useState } from 'preact/hooks';
import { Link, navigate, useLocation, withQuery } from '../lib/router.jsx';
import { useStore } from '../lib/store.js';
import { authStore, signIn, signUp } from '../lib/auth.js';
import { useTitle } from '../lib/title.js';
import { Field, FormError, SubmitButton } from '../components/form.jsx';
import { Loading } from '../components/states.jsx';

/** The ?next= path when it is a path of this site, else the account page. */
export function nextPath(query, fallback = '/account') {
  const next = query.get('next') || '';
  return /^\/(?![/\\])/.test(next) ? next : fallback;
}

function AuthCard({ title, intro, children, footer }) {
  return (
    <div class="mx-auto w-full max-w-md py-6 sm:py-10">
      <div class="card p-6 shadow-sm sm:p-8">
        <h1 class="text-2xl font-bold tracking-tight">{title}</h1>
        {intro && <p class="mt-1.5 text-stone-600">{intro}</p>}
        <div class="mt-6">{children}</div>
      </div>
      {footer && <p class="mt-6 text-center text-sm text-stone-700">{footer}</p>}
    </div>
  );
}

/** Sends a signed-in visitor on to where they wanted to go. */
function useLeaveWhenSignedIn(next) {
  const { status } = useStore(authStore);
  useEffect(() => {
    if (status === 'user') navigate(next, { replace: true });
  }, [status, next]);
  return status;
}

export function SignIn() {
  useTitle('Sign in');
  const { query } = useLocation();
  const next = nextPath(query);
  const { expired } = useStore(authStore);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const status = useLeaveWhenSignedIn(next);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email.trim(), password);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  if (status === 'loading') return <Loading />;
  const fields = error?.fields || {};
  return (
    <AuthCard
      title="Sign in"
      intro="Welcome back. Your cart comes with you."
      footer={<>New here? <Link href={withQuery('/signup', { next: query.get('next') })} class="font-semibold text-emerald-800 underline underline-offset-2">Create an account</Link></>}
    >
      <form onSubmit={submit} noValidate class="space-y-5">
        {expired && !error && (
          <p role="status" class="rounded-xl bg-amber-50 p-4 text-sm text-amber-950 ring-1 ring-amber-200">Your session has ended. Please sign in again.</p>
        )}
        <FormError error={error} shown={['email', 'password']} />
        <Field label="Email" name="email" type="email" autoComplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} error={fields.email} maxLength={254} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} error={fields.password} maxLength={1024} />
        <SubmitButton busy={busy} busyLabel="Signing in…">Sign in</SubmitButton>
      </form>
    </AuthCard>
  );
}

export function SignUp() {
  useTitle('Create an account');
  const { query } = useLocation();
  const next = nextPath(query);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const status = useLeaveWhenSignedIn(next);

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signUp(name.trim(), email.trim(), password);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  if (status === 'loading') return <Loading />;
  const fields = { ...(error?.fields || {}) };
  if (error?.code === 'email_taken' && !fields.email) fields.email = error.message;
  return (
    <AuthCard
      title="Create an account"
      intro="Save your cart, and check out faster next time."
      footer={<>Already have an account? <Link href={withQuery('/signin', { next: query.get('next') })} class="font-semibold text-emerald-800 underline underline-offset-2">Sign in</Link></>}
    >
      <form onSubmit={submit} noValidate class="space-y-5">
        <FormError error={error?.code === 'email_taken' ? null : error} shown={['name', 'email', 'password']} />
        <Field label="Name" name="name" autoComplete="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} error={fields.name} maxLength={200} />
        <Field label="Email" name="email" type="email" autoComplete="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} error={fields.email} maxLength={254} />
        <Field
          label="Password"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          error={fields.password}
          hint="At least 12 characters. A few unrelated words make a strong one."
          maxLength={1024}
        />
        <SubmitButton busy={busy} busyLabel="Creating your account…">Create account</SubmitButton>
      </form>
    </AuthCard>
  );
}
