// One edge of a schedule window: a clock time, or the day's sunrise or sunset moved by up to three
// hours either way (computed at the appliance's position, set in Settings).
import type { WindowEdge } from '../../../../src/domain/schedule.ts';
import { Field, SelectField } from '../../components/ui.tsx';

type Kind = 'clock' | 'sunrise' | 'sunset';

export function EdgeField({
  label,
  value,
  onChange,
  issue,
  clockHint,
}: {
  /** "Starts at" / "Ends at". */
  label: string;
  value: WindowEdge;
  onChange: (edge: WindowEdge) => void;
  /** The appliance's message for this field (its own path or its offset's). */
  issue: (path: string) => string | undefined;
  clockHint?: string;
}) {
  const kind: Kind = typeof value === 'string' ? 'clock' : value.sun;
  const path = label === 'Starts at' ? 'start_time' : 'end_time';
  const choose = (next: Kind) => {
    if (next === kind) return;
    if (next === 'clock') onChange(label === 'Starts at' ? '09:00' : '17:00');
    else onChange({ sun: next, offset_minutes: typeof value === 'string' ? 0 : value.offset_minutes });
  };
  return (
    <div className="edge-field">
      <SelectField
        label={`${label === 'Starts at' ? 'Start' : 'End'}: clock or sun`}
        value={kind}
        onChange={(e) => choose(e.target.value as Kind)}
      >
        <option value="clock">A clock time</option>
        <option value="sunrise">Sunrise</option>
        <option value="sunset">Sunset</option>
      </SelectField>
      {typeof value === 'string' ? (
        <Field
          label={label}
          type="time"
          step={value.length > 5 ? 1 : 60}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          error={issue(path)}
          hint={clockHint}
          required
        />
      ) : (
        <Field
          label={`${label}: minutes after ${value.sun} (negative: before)`}
          type="number"
          min={-180}
          max={180}
          step={1}
          value={Number.isNaN(value.offset_minutes) ? '' : value.offset_minutes}
          onChange={(e) => onChange({ sun: value.sun, offset_minutes: e.target.valueAsNumber })}
          error={issue(`${path}.offset_minutes`) ?? issue(path)}
          hint={clockHint ?? 'From −180 to 180 minutes.'}
        />
      )}
    </div>
  );
}
