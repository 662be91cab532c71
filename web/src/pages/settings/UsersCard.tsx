// The people who may sign in, each with a role: add one (name, password, role), change a role,
// remove one after confirmation. Admins only; the appliance always keeps one admin.
import { useState, type FormEvent } from 'react';
import { ApiError, authApi, ROLES, type Role, type UserInfo } from '../../api/client.ts';
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog.tsx';
import { DataTable, ListStates } from '../../components/ListPage.tsx';
import { FormActions } from '../../components/forms.tsx';
import {
  Button,
  ErrorNotice,
  Field,
  forgetItem,
  Notice,
  SelectField,
  useLoad,
} from '../../components/ui.tsx';
import { ROLE_ALLOWS, ROLE_LABEL } from './roles.ts';

function RoleOptions() {
  return (
    <>
      {ROLES.map((role) => (
        <option key={role} value={role}>
          {ROLE_LABEL[role]}
        </option>
      ))}
    </>
  );
}

export function UsersCard({ me }: { me: UserInfo }) {
  const users = useLoad((signal) => authApi.users(signal));
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const removing = useConfirmation<UserInfo>();

  const add = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setAdding(true);
    setError(null);
    setNotice(null);
    try {
      const user = await authApi.addUser(username.trim(), password, role);
      setNotice(`${user.username} can sign in now, as ${ROLE_LABEL[user.role]}.`);
      setUsername('');
      setPassword('');
      users.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setAdding(false);
    }
  };

  const changeRole = async (user: UserInfo, next: Role): Promise<void> => {
    setError(null);
    setNotice(null);
    try {
      await authApi.setUserRole(user.id, next);
      setNotice(`${user.username} is ${ROLE_LABEL[next]} now (from their next click on).`);
    } catch (failure) {
      setError(failure);
    }
    users.reload();
  };

  const remove = async (user: UserInfo): Promise<void> => {
    await authApi.removeUser(user.id);
    setNotice(`${user.username} removed: signed out, and their API tokens no longer work.`);
    forgetItem(users, user.id);
  };

  const issue = (path: string): string | undefined =>
    error instanceof ApiError ? error.issueAt(path) : undefined;
  return (
    <section className="card" aria-labelledby="settings-users">
      <h2 id="settings-users">Users</h2>
      <p className="hint">
        Each person signs in with their own name and a role: <strong>Viewer</strong> ({ROLE_ALLOWS.viewer}),{' '}
        <strong>Operator</strong> ({ROLE_ALLOWS.operator}), <strong>Admin</strong> ({ROLE_ALLOWS.admin}).
      </p>
      <ErrorNotice error={users.error} />
      <ListStates
        rows={users.data}
        loading={users.loading}
        loadingLabel="Loading users…"
        empty={<p className="hint">Only you can sign in so far.</p>}
        isEmpty={(list) => list.length <= 1}
      >
        {(list) => (
          <DataTable columns={['User', 'Role', 'Added', 'Actions']}>
            {list.map((user) => (
              <tr key={user.id}>
                <td>
                  <strong>{user.username}</strong>
                  {user.id === me.id ? <small className="hint"> (you)</small> : null}
                </td>
                <td>
                  <select
                    aria-label={`Role of ${user.username}`}
                    value={user.role}
                    onChange={(event) => void changeRole(user, event.target.value as Role)}
                  >
                    <RoleOptions />
                  </select>
                </td>
                <td>{new Date(user.created_at).toLocaleDateString()}</td>
                <td>
                  <Button
                    variant="danger"
                    onClick={() => removing.ask(user)}
                    aria-label={`Remove ${user.username}`}
                    disabled={user.id === me.id}
                  >
                    Remove
                  </Button>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </ListStates>
      {notice ? <Notice kind="success">{notice}</Notice> : null}

      <h3>Add a user</h3>
      <form className="settings-form" onSubmit={(event) => void add(event)} noValidate>
        <Field
          label="New user’s name"
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          error={issue('username')}
          autoComplete="off"
        />
        <Field
          label="Their password"
          type="password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={issue('password')}
          autoComplete="new-password"
          hint="At least 10 characters; tell it to them in person. They can change it under Settings."
        />
        <SelectField
          label="Their role"
          value={role}
          onChange={(event) => setRole(event.target.value as Role)}
          hint={ROLE_ALLOWS[role]}
        >
          <RoleOptions />
        </SelectField>
        <ErrorNotice error={error} />
        <FormActions
          submitLabel="Add user"
          busy={adding}
          submitDisabled={username.trim() === '' || password === ''}
        />
      </form>

      <ConfirmDialog
        title={`Remove ${removing.target?.username ?? ''}?`}
        open={removing.target !== null}
        confirmLabel="Remove user"
        busy={removing.busy}
        error={removing.error}
        onConfirm={() => void removing.confirm(remove)}
        onClose={removing.close}
      >
        <p>They are signed out at once, and the API tokens they made stop working.</p>
      </ConfirmDialog>
    </section>
  );
}
