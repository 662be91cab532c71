// First run (create the admin account) and sign-in. There are no default credentials: the first
// person to open a new appliance sets the password.
import { useState, type FormEvent } from 'react';
import { ApiError, api } from '../../api/client.ts';
import { Button, ErrorNotice, Field } from '../../components/ui.tsx';

interface SignedIn {
  user: { id: number; username: string; role?: 'viewer' | 'operator' | 'admin' };
  csrfToken: string;
}

export function SignIn({
  firstRun,
  onSignedIn,
}: {
  firstRun: boolean;
  onSignedIn: (result: SignedIn) => void;
}) {
  const [username, setUsername] = useState(firstRun ? 'admin' : '');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const mismatch =
    firstRun && confirm !== '' && confirm !== password ? 'The two passwords differ.' : undefined;

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (firstRun && password !== confirm) {
      setError(
        new ApiError(
          400,
          'PASSWORDS_DIFFER',
          'The two passwords differ.',
          'Type the same password twice.',
          [],
        ),
      );
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const result = await api.post<SignedIn>(firstRun ? '/api/auth/setup' : '/api/auth/login', {
        username,
        password,
      });
      onSignedIn(result);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (path: string): string | undefined =>
    error instanceof ApiError ? error.issueAt(path) : undefined;

  return (
    <main className="signin">
      <form
        className="card signin-card"
        onSubmit={(event) => void submit(event)}
        aria-labelledby="signin-title"
      >
        <div className="brand brand-large" aria-hidden="true">
          <span className="brand-dot" /> VistterStream
        </div>
        <h1 id="signin-title">{firstRun ? 'Welcome — set up this appliance' : 'Sign in'}</h1>
        {firstRun ? (
          <p>
            Choose the administrator's name and password. You will use them to sign in to this control room
            from any browser on the network.
          </p>
        ) : null}
        <Field
          label="User name"
          name="username"
          autoComplete="username"
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          error={fieldError('username')}
          required
          autoFocus={!firstRun}
        />
        <Field
          label={firstRun ? 'New password' : 'Password'}
          name="password"
          type="password"
          autoComplete={firstRun ? 'new-password' : 'current-password'}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={fieldError('password')}
          hint={firstRun ? 'At least 10 characters; a few words make a good one.' : undefined}
          required
          autoFocus={firstRun}
        />
        {firstRun ? (
          <Field
            label="Repeat the password"
            name="confirm"
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(event) => setConfirm(event.target.value)}
            error={mismatch}
            required
          />
        ) : null}
        <ErrorNotice error={error} />
        <Button type="submit" variant="primary" busy={busy}>
          {firstRun ? 'Create account and continue' : 'Sign in'}
        </Button>
        {!firstRun ? (
          <p className="hint">
            Forgot the password? On the appliance run <code>bin/vistter admin reset-password</code>.
          </p>
        ) : null}
      </form>
    </main>
  );
}
