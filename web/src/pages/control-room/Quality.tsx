// Picture quality of the show on air (issue 13): the level on air and why, what the show suffers
// from now, the last step, when it steps back up, what the overlays cost (they always stay on
// air), and a control to hold a level or give it back to degraded mode. Everything comes from the
// live feed; holding a lower level asks first.
import { useEffect, useId, useState } from 'react';
import type { LiveShow } from '../../../../src/domain/live.ts';
import { api } from '../../api/client.ts';
import { Button, Dialog, ErrorNotice, formatDuration, useAction } from '../../components/ui.tsx';
import { useCan } from '../../app/session.ts';
import './quality.css';

type Quality = LiveShow['quality'];

const AUTOMATIC = 'auto';

function levelWords(quality: Quality, index: number): string {
  const words = quality.ladder[index];
  if (index === 0) return words ? `Your settings: ${words}` : 'Your settings';
  return words ? `Level ${index}: ${words}` : `Level ${index}`;
}

/** "0.03", "0.3", "2": a small figure keeps its first digits. */
function percentOfCore(value: number): string {
  if (value >= 1) return String(Math.round(value));
  if (value >= 0.1) return value.toFixed(1);
  return value >= 0.01 ? value.toFixed(2) : 'under 0.01';
}

/** What a viewer notices when the program moves from one level to a lower one. */
function viewerSees(from: string | undefined, to: string | undefined): string {
  const parse = (words: string | undefined) => {
    const match = words ? /, ([\d.]+) fps, (\d+)×(\d+)$/.exec(words) : null;
    return match ? { fps: Number(match[1]), height: Number(match[3]) } : null;
  };
  const a = parse(from);
  const b = parse(to);
  if (!a || !b) return 'a lighter picture';
  if (b.height < a.height) return 'a smaller picture';
  if (b.fps < a.fps) return 'fewer frames per second (less fluid motion)';
  return 'a slightly less detailed picture at the same size and frame rate';
}

export function QualityPanel({ show }: { show: LiveShow }) {
  const quality = show.quality;
  const current = quality.held ? String(quality.level) : AUTOMATIC;
  const canOperate = useCan('operator');
  const [choice, setChoice] = useState(current);
  const [dirty, setDirty] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const action = useAction();
  const selectId = useId();
  const hintId = useId();
  useEffect(() => {
    if (!dirty) setChoice(current);
  }, [current, dirty]);

  const apply = async (value: string): Promise<void> => {
    setConfirm(false);
    const level = value === AUTOMATIC ? null : Number(value);
    const done = await action.run(() => api.post('/api/show/quality', { level }));
    if (done !== undefined) setDirty(false);
  };
  const chosenLevel = choice === AUTOMATIC ? null : Number(choice);
  const lowering = chosenLevel !== null && chosenLevel > quality.level;
  const lastChange = quality.lastChange;
  const levels = Array.from({ length: quality.levels }, (_, index) => index);

  return (
    <section
      className="cr-quality"
      aria-labelledby={`${selectId}-title`}
      data-testid="quality"
      data-level={quality.level}
      data-held={quality.held}
    >
      <h3 id={`${selectId}-title`}>Picture quality</h3>
      <p
        className={`cr-quality-line${quality.degraded ? ' cr-quality-reduced' : ''}`}
        data-testid="quality-summary"
      >
        {quality.summary}
      </p>
      {quality.switching ? (
        <p className="hint cr-small" role="status">
          Moving to the new level… the stream stays up.
        </p>
      ) : null}
      {quality.symptoms.length > 0 ? (
        <div className="cr-small">
          <span className="hint">The show suffers now:</span>
          <ul className="cr-list">
            {quality.symptoms.map((symptom) => (
              <li key={symptom}>{symptom}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {quality.warnings.length > 0 ? (
        <ul className="cr-list cr-small">
          {quality.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      ) : null}
      {lastChange ? (
        <p className="hint cr-small" data-testid="quality-last-change">
          Last change at {new Date(lastChange.at).toLocaleTimeString()}: {lastChange.sentence}
        </p>
      ) : null}
      {quality.degraded && !quality.held && quality.nextStepUpInSeconds !== null ? (
        <p className="hint cr-small">
          {quality.nextStepUpInSeconds > 0
            ? `Steps back up in about ${formatDuration(quality.nextStepUpInSeconds)} if the show stays calm.`
            : 'Steps back up as soon as the show has been calm long enough.'}
        </p>
      ) : null}
      {quality.held ? (
        <p className="hint cr-small">
          Held by hand: degraded mode does not move it until set back to automatic.
        </p>
      ) : null}
      {quality.overlayCostPercent !== null ? (
        <p className="hint cr-small" data-testid="overlay-cost">
          Overlays cost {percentOfCore(quality.overlayCostPercent)} % of a core: they stay on air.
        </p>
      ) : null}

      {!show.demo && quality.levels > 1 && canOperate ? (
        <form
          className="cr-override"
          onSubmit={(event) => {
            event.preventDefault();
            if (lowering) setConfirm(true);
            else void apply(choice);
          }}
        >
          <label htmlFor={selectId}>Hold the quality</label>
          <div className="cr-row">
            <select
              id={selectId}
              className="cr-input"
              aria-describedby={hintId}
              value={choice}
              onChange={(event) => {
                setChoice(event.target.value);
                setDirty(true);
              }}
            >
              <option value={AUTOMATIC}>Automatic — degraded mode decides</option>
              {levels.map((index) => (
                <option key={index} value={String(index)}>
                  {levelWords(quality, index)}
                </option>
              ))}
            </select>
            <Button type="submit" variant="primary" busy={action.busy} disabled={choice === current}>
              Apply
            </Button>
          </div>
          <small id={hintId} className="hint cr-small">
            Higher levels are lighter on this machine’s CPU. Overlays stay on air at every level.
          </small>
          <ErrorNotice error={action.error} onDismiss={action.clearError} />
        </form>
      ) : null}

      <Dialog title="Lower the picture quality?" open={confirm} onClose={() => setConfirm(false)}>
        <p>
          The program moves to{' '}
          <strong>
            {chosenLevel === null ? '' : (quality.ladder[chosenLevel] ?? `level ${chosenLevel}`)}
          </strong>{' '}
          and stays there until you set it back to automatic. The stream stays up; viewers see{' '}
          {viewerSees(
            quality.ladder[quality.level],
            chosenLevel === null ? undefined : quality.ladder[chosenLevel],
          )}
          .
        </p>
        <div className="cr-row">
          <Button variant="danger" onClick={() => void apply(choice)}>
            Lower the quality
          </Button>
          <Button className="cr-secondary" onClick={() => setConfirm(false)}>
            Keep the current quality
          </Button>
        </div>
      </Dialog>
    </section>
  );
}
