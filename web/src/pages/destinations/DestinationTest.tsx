// "Test" on a destination: publishes a few seconds of test pattern (the appliance does it) and says
// whether the server took it. One test per destination at a time; on YouTube, Facebook and Twitch
// the operator confirms first, because a stream arriving there can start a public broadcast.
import { useState, type ReactElement } from 'react';
import { ApiError, api } from '../../api/client.ts';
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog.tsx';
import { ErrorNotice, Notice, Spinner } from '../../components/ui.tsx';
import {
  TEST_SECONDS,
  testGoesPublic,
  type Destination,
  type DestinationTestOutcome,
} from './destination-api.ts';

export type TestState =
  | { kind: 'running' }
  | { kind: 'done'; outcome: DestinationTestOutcome }
  /** Refused or failed before a test ran (on air, already testing, no key). */
  | { kind: 'refused'; error: unknown };

export interface DestinationTests {
  stateOf: (id: number) => TestState | undefined;
  /** Asks first for a platform destination; runs at once for a custom server. */
  request: (destination: Destination) => void;
  /** The confirmation dialog (render it once on the page). */
  dialog: ReactElement;
}

export function useDestinationTests(labelOf: (platform: string) => string): DestinationTests {
  const [states, setStates] = useState<ReadonlyMap<number, TestState>>(new Map());
  const confirmation = useConfirmation<Destination>();
  const set = (id: number, state: TestState): void => setStates((current) => new Map(current).set(id, state));

  const run = async (destination: Destination): Promise<void> => {
    if (states.get(destination.id)?.kind === 'running') return;
    set(destination.id, { kind: 'running' });
    try {
      const outcome = await api.post<DestinationTestOutcome>(`/api/destinations/${destination.id}/test`);
      set(destination.id, { kind: 'done', outcome });
    } catch (failure) {
      set(destination.id, { kind: 'refused', error: failure });
    }
  };

  const target = confirmation.target;
  const dialog = (
    <ConfirmDialog
      title={`Test “${target?.name ?? ''}” on ${target ? labelOf(target.platform) : ''}?`}
      open={target !== null}
      confirmLabel="Send the test stream"
      busy={false}
      error={null}
      onConfirm={() =>
        void confirmation.confirm(async (destination) => {
          void run(destination);
        })
      }
      onClose={confirmation.close}
    >
      <p>
        The appliance sends {TEST_SECONDS} seconds of test pattern with a tone to this stream key.{' '}
        <strong>
          On {target ? labelOf(target.platform) : 'the platform'} this can start a public live broadcast on
          your channel
        </strong>{' '}
        (depending on the channel’s settings), which your viewers may see or be notified of.
      </p>
    </ConfirmDialog>
  );

  return {
    stateOf: (id) => states.get(id),
    request: (destination) => {
      if (testGoesPublic(destination.platform)) confirmation.ask(destination);
      else void run(destination);
    },
    dialog,
  };
}

/** A test's progress or result, in words. */
export function TestStatus({ name, state }: { name: string; state: TestState | undefined }) {
  if (state === undefined) return null;
  if (state.kind === 'running')
    return (
      <div className="destination-test running">
        <Spinner label={`Testing “${name}”: sending ${TEST_SECONDS} s of test pattern…`} />
      </div>
    );
  if (state.kind === 'refused')
    return (
      <div className="destination-test">
        <ErrorNotice error={state.error} />
      </div>
    );
  const { outcome } = state;
  if (outcome.ok)
    return (
      <div className="destination-test">
        <Notice kind="success">
          <div>
            <strong>{name}:</strong> {outcome.message}
          </div>
        </Notice>
      </div>
    );
  return (
    <div className="destination-test">
      <ErrorNotice
        error={
          new ApiError(
            200,
            outcome.error?.code ?? 'DESTINATION_TEST_FAILED',
            `${name}: ${outcome.message}`,
            outcome.error?.remediation ?? '',
            [],
          )
        }
      />
    </div>
  );
}
