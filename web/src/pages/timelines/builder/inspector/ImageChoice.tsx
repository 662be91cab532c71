// An overlay's picture: an image from the library or an address; optional for a lower third's
// background, required for a logo or an image overlay.
import { Field, SelectField } from '../../../../components/ui.tsx';
import { assetName, type Catalog } from '../catalog.ts';
import { ADDRESS_CHOICE, type IssueAt, type SetParams } from './types.ts';

export function ImageChoice({
  value,
  url,
  catalog,
  at,
  params,
  optional,
}: {
  value: number | undefined;
  url: string | undefined;
  catalog: Catalog;
  at: IssueAt;
  params: SetParams;
  optional?: boolean;
}) {
  const images = catalog.assets.filter((asset) => asset.asset_type === 'image');
  const choice = value !== undefined ? String(value) : url !== undefined ? ADDRESS_CHOICE : '';
  return (
    <>
      <SelectField
        label={optional ? 'Background image' : 'Image'}
        value={choice}
        error={at('params.asset_id') ?? at('params')}
        onChange={(event) => {
          const v = event.target.value;
          if (v === '') params({ asset_id: undefined, image_url: undefined });
          else if (v === ADDRESS_CHOICE) params({ asset_id: undefined, image_url: url ?? '' });
          else params({ asset_id: Number(v), image_url: undefined });
        }}
      >
        <option value="">{optional ? 'None (a plain bar)' : 'Choose an image…'}</option>
        {images.map((asset) => (
          <option key={asset.id} value={asset.id}>
            {asset.filename}
          </option>
        ))}
        {value !== undefined && !images.some((a) => a.id === value) ? (
          <option value={value}>{assetName(catalog, value)}</option>
        ) : null}
        <option value={ADDRESS_CHOICE}>A path or web address…</option>
      </SelectField>
      {choice === ADDRESS_CHOICE ? (
        <Field
          label="Image address"
          value={url ?? ''}
          placeholder="/media/logo.png or https://…"
          error={at('params.image_url')}
          onChange={(event) => params({ image_url: event.target.value }, 'image-url')}
        />
      ) : null}
    </>
  );
}
