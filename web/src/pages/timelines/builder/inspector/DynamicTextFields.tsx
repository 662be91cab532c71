// A dynamic text overlay's own fields: its template, and the JSON it reads fields from (and how often).
import { Field } from '../../../../components/ui.tsx';
import { NumberField } from './fields.tsx';
import type { OverlayKindProps } from './types.ts';

export function DynamicTextFields({ uid, p, at, params }: OverlayKindProps<'dynamic_text'>) {
  return (
    <>
      <Field
        label="Template"
        value={p.template}
        placeholder="{time}"
        required
        error={at('params.template')}
        hint="{time} and {date}, and {field} for a field of the data below"
        onChange={(event) => params({ template: event.target.value }, `template-${uid}`)}
      />
      <Field
        label="Data address (JSON)"
        value={p.data_url ?? ''}
        placeholder="https://example.com/weather.json"
        error={at('params.data_url')}
        onChange={(event) =>
          params({ data_url: event.target.value === '' ? undefined : event.target.value }, `data-${uid}`)
        }
      />
      {p.data_url !== undefined ? (
        <NumberField
          label="Read the data every (seconds)"
          value={p.poll_interval ?? 30}
          min={1}
          error={at('params.poll_interval')}
          onChange={(value) => params({ poll_interval: value }, 'poll')}
        />
      ) : null}
    </>
  );
}
