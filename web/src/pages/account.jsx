// account.jsx: the signed-in customer's page: name, password, and signing out (this device or
// every device). Later sections (orders) add cards here.
import { useEffect, useState } from 'preact/hooks';
import { navigate } from '../lib/router.jsx';
import { useStore } from '../lib/store.js';
import { authStore, changePassword, signOut, updateName } from '../lib/auth.js';
import { useTitle } from '../lib/title.js';
import { Field, FormError, Notice, SubmitButton } from '../components/form.jsx';

function ProfileCard({ user }) {
  const [name, setName] = useState(user.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setName(user.name), [user.name]);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await updateName(name.trim());
      setSaved(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card p-6 sm:p-8" aria-labelledby="profile-heading">
      <h2 id="profile-heading" class="text-lg font-semibold">Profile</h2>
      <form onSubmit={submit} noValidate class="mt-5 space-y-5">
        <FormError error={error} shown={['name']} />
        <div>
          <p class="text-sm font-medium text-stone-800">Email</p>
          <p class="mt-1.5 text-stone-700" data-testid="account-email">{user.email}</p>
        </div>
        <Field label="Name" name="name" autoComplete="name" value={name} onInput={(e) => { setName(e.currentTarget.value); setSaved(false); }} error={error?.fields.name} maxLength={200} required />
        <div class="flex flex-wrap items-center gap-4">
          <SubmitButton busy={busy} class="btn-primary" busyLabel="Saving…">Save name</SubmitButton>
          {saved && <Notice>Your name is saved.</Notice>}
        </div>
      </form>
    </section>
  );
}

function PasswordCard() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [done, setDone] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      await changePassword(current, next);
      setCurrent('');
      setNext('');
      setDone(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const fields = error?.fields || {};
  return (
    <section class="card p-6 sm:p-8" aria-labelledby="password-heading">
      <h2 id="password-heading" class="text-lg font-semibold">Change password</h2>
      <p class="mt-1 text-sm text-stone-600">You stay signed in here; every other device is signed out.</p>
      <form onSubmit={submit} noValidate class="mt-5 space-y-5">
        <FormError error={error} shown={['current_password', 'new_password']} />
        <Field label="Current password" name="current_password" type="password" autoComplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} error={fields.current_password} maxLength={1024} required />
        <Field label="New password" name="new_password" type="password" autoComplete="new-password" value={next} onInput={(e) => setNext(e.currentTarget.value)} error={fields.new_password} hint="At least 12 characters." maxLength={1024} required />
        <div class="flex flex-wrap items-center gap-4">
          <SubmitButton busy={busy} class="btn-primary" busyLabel="Changing…">Change password</SubmitButton>
          {done && <Notice>Your password is changed.</Notice>}
        </div>
      </form>
    </section>
  );
}

function SessionsCard() {
  const [busy, setBusy] = useState(false);
  const out = async (all) => {
    setBusy(true);
    await signOut({ all });
    navigate('/', { replace: true });
  };
  return (
    <section class="card p-6 sm:p-8" aria-labelledby="sessions-heading">
      <h2 id="sessions-heading" class="text-lg font-semibold">Sign out</h2>
      <p class="mt-1 text-sm text-stone-600">Lost a phone or used a shared computer? Sign out everywhere.</p>
      <div class="mt-5 flex flex-wrap gap-3">
        <button type="button" class="btn-primary" onClick={() => out(false)} disabled={busy}>Sign out</button>
        <button type="button" class="btn-secondary" onClick={() => out(true)} disabled={busy}>Sign out of all devices</button>
      </div>
    </section>
  );
}

export default function Account() {
  useTitle('Your account');
  const { user } = useStore(authStore);
  if (!user) return null; // the route guard sends guests to sign in
  const since = new Date(user.created_at).toLocaleDateString('en', { year: 'numeric', month: 'long' });
  return (
    <div class="mx-auto max-w-2xl">
      <h1 class="text-3xl font-bold tracking-tight">Hello, {user.name}</h1>
      <p class="mt-1 text-stone-600">Customer since {since}.</p>
      <div class="mt-8 space-y-6">
        <ProfileCard user={user} />
        <PasswordCard />
        <SessionsCard />
      </div>
    </div>
  );
}
