// A lower third's own fields: title, subtitle and an optional background image for its bar.
import { Field } from '../../../../components/ui.tsx';
import { ImageChoice } from './ImageChoice.tsx';
import type { OverlayKindProps } from './types.ts';

export function LowerThirdFields({ uid, p, catalog, at, params }: OverlayKindProps<'lower_third'>) {
  return (
    <>
      <Field
        label="Title"
        value={p.text}
        placeholder="Type the title viewers see"
        required
        error={at('params.text')}
        onChange={(event) => params({ text: event.target.value }, `text-${uid}`)}
      />
      <Field
        label="Subtitle"
        value={p.subtitle ?? ''}
        placeholder="Optional second line"
        error={at('params.subtitle')}
        onChange={(event) =>
          params({ subtitle: event.target.value === '' ? undefined : event.target.value }, `subtitle-${uid}`)
        }
      />
      <ImageChoice value={p.asset_id} url={p.image_url} catalog={catalog} at={at} params={params} optional />
    </>
  );
}
