// A text overlay's own field: its text.
import { Field } from '../../../../components/ui.tsx';
import type { OverlayKindProps } from './types.ts';

export function TextOverlayFields({ uid, p, at, params }: OverlayKindProps<'text'>) {
  return (
    <Field
      label="Text"
      value={p.text}
      placeholder="Type the text viewers see"
      required
      error={at('params.text')}
      onChange={(event) => params({ text: event.target.value }, `text-${uid}`)}
    />
  );
}
