// API tokens for scripts and Prometheus: create one with its scope (shown once, with a copy
// button), list them with their scope, revoke one after confirmation. Admins only.
import { useRef, useState, type FormEvent } from 'react';
import { ApiError, authApi, ROLES, type ApiTokenInfo, type Role } from '../../api/client.ts';
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog.tsx';
import { DataTable, ListStates } from '../../components/ListPage.tsx';
import { Button, ErrorNotice, Field, Notice, SelectField, useLoad } from '../../components/ui.tsx';
import { ROLE_ALLOWS, ROLE_LABEL } from './roles.ts';

type ApiToken = ApiTokenInfo;

function when(iso: string | null): string {
  return iso === null ? 'Never' : new Date(iso).toLocaleString();
}

/** Copies text; the Clipboard API exists only on https or localhost, so fall back to a selection. */
async function copyText(text: string, input: HTMLInputElement | null): Promise<boolean> {
  try {
    if (navigator.clipboard) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Refused (no permission): try the selection below.
  }
  if (!input) return false;
  input.select();
  // execCommand is deprecated but the only way on plain http on the venue's network.
  return document.execCommand('copy');
}

export function TokensCard() {
  const tokens = useLoad((signal) => authApi.tokens(signal));
  const [name, setName] = useState('');
  // Least access unless the admin asks for more: a Prometheus token only reads.
  const [scope, setScope] = useState<Role>('viewer');
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<{ name: string; token: string; role: Role } | null>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  const revoking = useConfirmation<ApiToken>();
  const [notice, setNotice] = useState<string | null>(null);
  const tokenInput = useRef<HTMLInputElement | null>(null);

  const create = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    setCreating(true);
    setError(null);
    setNotice(null);
    setCopied(null);
    try {
      const answer = await authApi.createToken(name.trim(), scope);
      setCreated({ name: answer.name, token: answer.token, role: answer.role });
      setName('');
      setScope('viewer');
      tokens.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setCreating(false);
    }
  };

  const revoke = async (token: ApiToken): Promise<void> => {
    await authApi.revokeToken(token.id);
    setNotice(`Token “${token.name}” revoked: scripts using it are refused from now on.`);
    tokens.reload();
  };

  return (
    <section className="card" aria-labelledby="settings-tokens">
      <h2 id="settings-tokens">API tokens</h2>
      <p className="hint">
        For scripts and monitoring (Prometheus): they send the token as <code>Authorization: Bearer …</code>.
        Give each one its own token so you can revoke it alone, with the least scope it needs.
      </p>
      <form className="token-create" onSubmit={(event) => void create(event)} noValidate>
        <Field
          label="Token name"
          value={name}
          onChange={(event) => setName(event.target.value)}
          error={error instanceof ApiError ? error.issueAt('name') : undefined}
          placeholder="e.g. Prometheus"
          autoComplete="off"
        />
        <SelectField
          label="Scope"
          value={scope}
          onChange={(event) => setScope(event.target.value as Role)}
          error={error instanceof ApiError ? error.issueAt('role') : undefined}
          hint={ROLE_ALLOWS[scope]}
        >
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {ROLE_LABEL[role]}
            </option>
          ))}
        </SelectField>
        <Button type="submit" variant="primary" busy={creating} disabled={name.trim() === ''}>
          Create token
        </Button>
      </form>
      <ErrorNotice error={error} />

      {created ? (
        <div className="notice notice-warning token-once" role="region" aria-label="New API token">
          <div>
            <strong>Copy the token “{created.name}” now: it is shown only this once.</strong>
            <p>
              Scope: {ROLE_LABEL[created.role]} ({ROLE_ALLOWS[created.role]}).
            </p>
            <p>
              The appliance keeps only a fingerprint of it. If you lose it, revoke it and create a new one.
            </p>
            <div className="token-value">
              <input
                ref={tokenInput}
                readOnly
                value={created.token}
                aria-label="The new token"
                onFocus={(event) => event.target.select()}
                spellCheck={false}
              />
              <Button
                variant="primary"
                onClick={() => void copyText(created.token, tokenInput.current).then(setCopied)}
              >
                Copy
              </Button>
            </div>
            {copied === true ? <p role="status">Copied to the clipboard.</p> : null}
            {copied === false ? (
              <p role="status">This browser did not allow copying: select the token and copy it by hand.</p>
            ) : null}
            <Button onClick={() => setCreated(null)}>I have copied it</Button>
          </div>
        </div>
      ) : null}

      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <ErrorNotice error={tokens.error} />
      <ListStates
        rows={tokens.data}
        loading={tokens.loading}
        loadingLabel="Loading tokens…"
        empty={<p className="hint">No API tokens yet.</p>}
      >
        {(list) => (
          <DataTable columns={['Token', 'Created', 'Last used', 'Scope', 'Actions']}>
            {list.map((token) => (
              <tr key={token.id}>
                <td>
                  <strong>{token.name}</strong>
                </td>
                <td>
                  {when(token.created_at)}
                  <br />
                  <small className="hint">by {token.username}</small>
                </td>
                <td>{when(token.last_used_at)}</td>
                <td title={ROLE_ALLOWS[token.role]}>
                  <span className={`role-badge role-${token.role}`}>{ROLE_LABEL[token.role]}</span>
                </td>
                <td>
                  <Button
                    variant="danger"
                    onClick={() => revoking.ask(token)}
                    aria-label={`Revoke ${token.name}`}
                  >
                    Revoke
                  </Button>
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </ListStates>

      <ConfirmDialog
        title={`Revoke the token “${revoking.target?.name ?? ''}”?`}
        open={revoking.target !== null}
        confirmLabel="Revoke token"
        busy={revoking.busy}
        error={revoking.error}
        onConfirm={() => void revoking.confirm(revoke)}
        onClose={revoking.close}
      >
        <p>Scripts and monitoring that use it are refused from now on. This cannot be undone.</p>
      </ConfirmDialog>
    </section>
  );
}
