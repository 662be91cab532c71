// Destinations: where the show is streamed (YouTube, Facebook, Twitch, a custom RTMP/RTMPS/SRT
// server). The stream key is write-only: the page only ever shows the appliance's mask. Admins
// change destinations; operators may test them; viewers only read.
import { useEffect, useState } from 'react';
import { api } from '../../api/client.ts';
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog.tsx';
import { DataTable, EditorCard, EmptyState, ListStates } from '../../components/ListPage.tsx';
import { EditDeleteActions, RowActions } from '../../components/RowActions.tsx';
import { useCan } from '../../app/session.ts';
import { Button, ErrorNotice, forgetItem, Notice, PageHeader, useLoad } from '../../components/ui.tsx';
import type { Destination, PlatformPreset } from './destination-api.ts';
import { DestinationForm } from './DestinationForm.tsx';
import { TestStatus, useDestinationTests } from './DestinationTest.tsx';
import type { YouTubeConnection } from './youtube-api.ts';
import '../../components/forms.css';
import './destinations.css';

type Editing = { kind: 'new' } | { kind: 'edit'; destination: Destination } | null;

export function Destinations() {
  const destinations = useLoad((signal) => api.get<Destination[]>('/api/destinations', signal));
  const platforms = useLoad((signal) => api.get<PlatformPreset[]>('/api/platforms', signal));
  const connections = useLoad((signal) => api.get<YouTubeConnection[]>('/api/youtube/connections', signal));
  const [editing, setEditing] = useState<Editing>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [toggling, setToggling] = useState<number | null>(null);
  /** A switch shows its new position at once; the list's next load confirms it. */
  const [switched, setSwitched] = useState<ReadonlyMap<number, boolean>>(new Map());
  const [listError, setListError] = useState<unknown>(null);
  const removal = useConfirmation<Destination>();
  const canChange = useCan('admin');
  const canTest = useCan('operator');

  const labelOf = (id: string): string => platforms.data?.find((p) => p.id === id)?.label ?? id;
  const tests = useDestinationTests(labelOf);

  const open = (next: Editing): void => {
    setNotice(null);
    setEditing(next);
  };

  useEffect(() => setSwitched(new Map()), [destinations.data]);

  const testButton = (destination: Destination) => (
    <Button
      onClick={() => tests.request(destination)}
      busy={tests.stateOf(destination.id)?.kind === 'running'}
      aria-label={`Test ${destination.name}`}
    >
      Test
    </Button>
  );

  const toggle = async (destination: Destination, enabled: boolean): Promise<void> => {
    setToggling(destination.id);
    setListError(null);
    setSwitched((current) => new Map(current).set(destination.id, enabled));
    try {
      await api.patch(`/api/destinations/${destination.id}`, { enabled });
      destinations.reload();
    } catch (failure) {
      setSwitched((current) => {
        const next = new Map(current);
        next.delete(destination.id);
        return next;
      });
      setListError(failure);
    } finally {
      setToggling(null);
    }
  };

  const remove = async (destination: Destination): Promise<void> => {
    await api.delete(`/api/destinations/${destination.id}`);
    if (editing?.kind === 'edit' && editing.destination.id === destination.id) setEditing(null);
    setNotice(`Destination “${destination.name}” deleted.`);
    forgetItem(destinations, destination.id);
  };

  return (
    <section className="destinations-page">
      <PageHeader title="Destinations">
        {canChange ? (
          <Button variant="primary" onClick={() => open({ kind: 'new' })} disabled={!platforms.data}>
            Add destination
          </Button>
        ) : null}
      </PageHeader>
      <p className="intro">
        Where your show goes live: a YouTube, Facebook or Twitch channel, or any RTMP, RTMPS or SRT server.
        You choose which ones to use each time you go live.
      </p>

      <ErrorNotice error={destinations.error ?? platforms.error} />
      <ErrorNotice error={listError} onDismiss={() => setListError(null)} />
      {notice ? <Notice kind="success">{notice}</Notice> : null}
      <ListStates
        rows={destinations.data}
        loading={destinations.loading}
        loadingLabel="Loading destinations…"
        empty={
          editing === null ? (
            <EmptyState
              title="No destinations yet"
              actions={
                canChange ? (
                  <Button variant="primary" onClick={() => open({ kind: 'new' })} disabled={!platforms.data}>
                    Add your first destination
                  </Button>
                ) : null
              }
            >
              {canChange
                ? 'Add the channel you stream to. You need its stream key, which the platform shows in its live settings.'
                : 'An admin adds the channels the show streams to.'}
            </EmptyState>
          ) : null
        }
      >
        {(rows) => (
          <DataTable
            className="destinations-table"
            columns={[
              'Destination',
              'Platform',
              'Server',
              'Stream key',
              'Enabled',
              ...(canTest ? ['Actions'] : []),
            ]}
          >
            {rows.map((destination) => {
              const enabled = switched.get(destination.id) ?? destination.enabled;
              return (
                <tr
                  key={destination.id}
                  className={
                    editing?.kind === 'edit' && editing.destination.id === destination.id
                      ? 'selected'
                      : undefined
                  }
                >
                  <td>
                    <strong>{destination.name}</strong>
                  </td>
                  <td>{labelOf(destination.platform)}</td>
                  <td className="address">
                    {destination.youtube ? (
                      // The stream the appliance creates names the ingestion address, not this row.
                      <span className="badge badge-ok">Set by YouTube</span>
                    ) : (
                      <code>{destination.server_url}</code>
                    )}
                  </td>
                  <td>
                    {destination.youtube ? (
                      <YouTubeChannelCell
                        connectionId={destination.youtube.connection_id}
                        connections={connections.data}
                      />
                    ) : destination.stream_key_masked ? (
                      <code className="masked">{destination.stream_key_masked}</code>
                    ) : (
                      <span className="badge badge-warn">No key</span>
                    )}
                  </td>
                  <td>
                    {canChange ? (
                      <label className="switch">
                        <input
                          type="checkbox"
                          role="switch"
                          checked={enabled}
                          disabled={toggling === destination.id}
                          onChange={(event) => void toggle(destination, event.target.checked)}
                          aria-label={`${destination.name} enabled`}
                        />
                        <span aria-hidden="true">{enabled ? 'On' : 'Off'}</span>
                      </label>
                    ) : (
                      <span>{enabled ? 'On' : 'Off'}</span>
                    )}
                  </td>
                  {canTest ? (
                    <td>
                      {canChange ? (
                        <EditDeleteActions
                          name={destination.name}
                          onEdit={() => open({ kind: 'edit', destination })}
                          onDelete={() => removal.ask(destination)}
                        >
                          {testButton(destination)}
                        </EditDeleteActions>
                      ) : (
                        <RowActions>{testButton(destination)}</RowActions>
                      )}
                    </td>
                  ) : null}
                </tr>
              );
            })}
          </DataTable>
        )}
      </ListStates>

      {(destinations.data ?? []).some((destination) => tests.stateOf(destination.id) !== undefined) ? (
        <section className="destination-tests" aria-label="Destination tests">
          {(destinations.data ?? []).map((destination) => (
            <TestStatus key={destination.id} name={destination.name} state={tests.stateOf(destination.id)} />
          ))}
        </section>
      ) : null}

      {canChange && editing !== null && platforms.data ? (
        <EditorCard
          className="destination-editor"
          title={editing.kind === 'edit' ? `Edit “${editing.destination.name}”` : 'Add a destination'}
          revealKey={editing.kind === 'new' ? 'new' : editing.destination.id}
        >
          <DestinationForm
            key={editing.kind === 'edit' ? editing.destination.id : 'new'}
            destination={editing.kind === 'edit' ? editing.destination : null}
            platforms={platforms.data}
            onTest={editing.kind === 'edit' ? () => tests.request(editing.destination) : undefined}
            testState={editing.kind === 'edit' ? tests.stateOf(editing.destination.id) : undefined}
            onSaved={(saved) => {
              setNotice(
                editing.kind === 'edit'
                  ? `Destination “${saved.name}” saved.`
                  : `Destination “${saved.name}” added.`,
              );
              setEditing(null);
              destinations.reload();
              connections.reload();
            }}
            onCancel={() => setEditing(null)}
          />
        </EditorCard>
      ) : null}

      {tests.dialog}
      <ConfirmDialog
        title={`Delete destination “${removal.target?.name ?? ''}”?`}
        open={removal.target !== null}
        confirmLabel="Delete destination"
        busy={removal.busy}
        error={removal.error}
        onConfirm={() => void removal.confirm(remove)}
        onClose={removal.close}
      >
        <p>
          The appliance forgets this destination and its stream key. Your channel on{' '}
          {removal.target ? labelOf(removal.target.platform) : ''} is not changed.
        </p>
      </ConfirmDialog>
    </section>
  );
}

/** A destination whose broadcasts run through the YouTube API: its channel, and whether it is connected. */
function YouTubeChannelCell({
  connectionId,
  connections,
}: {
  connectionId: number;
  connections: YouTubeConnection[] | null;
}) {
  if (connections === null) return <span>YouTube API</span>;
  const connection = connections.find((candidate) => candidate.id === connectionId);
  return (
    <span className="youtube-channel-cell">
      <span>YouTube API: {connection?.label ?? `channel ${connectionId}`}</span>{' '}
      {connection && connection.revokedAt === null ? (
        <span className="badge badge-ok">Connected</span>
      ) : (
        <span className="badge badge-error">Needs reconnecting</span>
      )}
    </span>
  );
}
