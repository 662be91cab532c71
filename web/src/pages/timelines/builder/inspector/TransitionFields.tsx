// How a camera or media cue comes on air: a cut, or a dissolve or fade of some seconds.
import { SelectField } from '../../../../components/ui.tsx';
import { NumberField } from './fields.tsx';
import type { IssueAt, SetParams } from './types.ts';

export function TransitionFields({
  transition,
  duration,
  at,
  params,
}: {
  transition: string;
  duration: number | undefined;
  at: IssueAt;
  params: SetParams;
}) {
  return (
    <div className="insp-row">
      <SelectField
        label="Transition in"
        value={transition}
        error={at('params.transition')}
        onChange={(event) => {
          const next = event.target.value;
          params(
            next === 'cut'
              ? { transition: 'cut', transition_duration: undefined }
              : { transition: next, transition_duration: duration ?? 1 },
          );
        }}
      >
        <option value="cut">Cut</option>
        <option value="dissolve">Dissolve</option>
        <option value="fade">Fade through black</option>
      </SelectField>
      {transition !== 'cut' ? (
        <NumberField
          label="Transition seconds"
          value={duration ?? 1}
          min={0}
          max={60}
          step="0.1"
          error={at('params.transition_duration')}
          onChange={(value) => params({ transition_duration: value }, 'transition-duration')}
        />
      ) : null}
    </div>
  );
}
