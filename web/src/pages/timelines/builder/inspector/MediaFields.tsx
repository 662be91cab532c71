// A media cue: a file from the library or an address, whether a video loops, its transition in.
import { Field, SelectField } from '../../../../components/ui.tsx';
import { assetName } from '../catalog.ts';
import type { MediaCue } from '../model.ts';
import { Switch } from './fields.tsx';
import { TransitionFields } from './TransitionFields.tsx';
import { ADDRESS_CHOICE, type CueFieldsProps } from './types.ts';

export function MediaFields({ cue, catalog, at, params }: CueFieldsProps<MediaCue>) {
  const media = catalog.assets.filter((asset) => asset.asset_type !== 'audio');
  const usesAddress = cue.params.asset_id === undefined;
  return (
    <>
      <SelectField
        label="Media file"
        value={usesAddress ? ADDRESS_CHOICE : String(cue.params.asset_id)}
        error={at('params.asset_id')}
        onChange={(event) => {
          if (event.target.value === ADDRESS_CHOICE)
            return params({ asset_id: undefined, media_url: cue.params.media_url ?? '' });
          const asset = catalog.assets.find((a) => a.id === Number(event.target.value));
          params({
            asset_id: Number(event.target.value),
            media_url: undefined,
            media_type: asset?.asset_type === 'image' ? 'image' : 'video',
          });
        }}
      >
        {media.map((asset) => (
          <option key={asset.id} value={asset.id}>
            {asset.filename}
          </option>
        ))}
        {!usesAddress && !media.some((a) => a.id === cue.params.asset_id) ? (
          <option value={cue.params.asset_id}>{assetName(catalog, cue.params.asset_id ?? 0)}</option>
        ) : null}
        <option value={ADDRESS_CHOICE}>A path or web address…</option>
      </SelectField>
      {usesAddress ? (
        <Field
          label="Media address"
          value={cue.params.media_url ?? ''}
          placeholder="/media/clip.mp4 or https://…"
          error={at('params.media_url')}
          onChange={(event) => params({ media_url: event.target.value }, 'media-url')}
        />
      ) : null}
      {cue.params.media_type !== 'image' ? (
        <Switch
          label="Play in a loop for the whole cue"
          checked={cue.params.loop ?? true}
          onChange={(loop) => params({ loop })}
        />
      ) : null}
      <TransitionFields
        transition={cue.params.transition ?? 'cut'}
        duration={cue.params.transition_duration}
        at={at}
        params={params}
      />
    </>
  );
}
