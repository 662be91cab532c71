// Change your own password: the current one, the new one twice. The appliance signs out your
// other sessions and starts a new one here (with a new CSRF token).
import { useState, type FormEvent } from 'react';
import { ApiError, api, setCsrfToken } from '../../api/client.ts';
import { FormActions } from '../../components/forms.tsx';
import { ErrorNotice, Field, Notice } from '../../components/ui.tsx';

export function PasswordCard() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setDone(false);
    if (next !== repeat) {
      setError(
        new ApiError(
          400,
          'PASSWORDS_DIFFER',
          'the two new passwords differ',
          'Type the same new password twice.',
          [{ path: 'repeat', message: 'differs from the new password' }],
        ),
      );
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await api.post<{ csrfToken: string }>('/api/auth/password', {
        current_password: current,
        new_password: next,
      });
      setCsrfToken(result.csrfToken);
      setCurrent('');
      setNext('');
      setRepeat('');
      setDone(true);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const issue = (path: string): string | undefined =>
    error instanceof ApiError ? error.issueAt(path) : undefined;
  return (
    <section className="card" aria-labelledby="settings-password">
      <h2 id="settings-password">Your password</h2>
      <form onSubmit={(event) => void submit(event)} noValidate className="settings-form">
        <Field
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(event) => setCurrent(event.target.value)}
          error={issue('current_password')}
        />
        <Field
          label="New password"
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={(event) => setNext(event.target.value)}
          error={issue('new_password')}
          hint="At least 10 characters, not your user name; a few words make a good one."
        />
        <Field
          label="Repeat the new password"
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={(event) => setRepeat(event.target.value)}
          error={issue('repeat')}
        />
        <ErrorNotice error={error} />
        {done ? (
          <Notice kind="success">
            Password changed. Other browsers signed in as you were signed out; sign in there with the new
            password.
          </Notice>
        ) : null}
        <FormActions
          submitLabel="Change password"
          busy={busy}
          submitDisabled={current === '' || next === '' || repeat === ''}
        />
      </form>
    </section>
  );
}
