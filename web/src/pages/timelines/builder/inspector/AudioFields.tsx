// A music cue of the audio bed: its playlist of uploaded audio files (in order, each moved up or
// down or taken off), whether it starts again when it ends, its volume and its fades.
import { useState } from 'react';
import { Button, SelectField } from '../../../../components/ui.tsx';
import { assetName } from '../catalog.ts';
import type { AudioCue } from '../model.ts';
import { NumberField, Switch } from './fields.tsx';
import { LicenceNotice } from './LicenceNotice.tsx';
import type { CueFieldsProps } from './types.ts';

export function AudioFields({ cue, catalog, at, params }: CueFieldsProps<AudioCue>) {
  const playlist = cue.params.asset_ids;
  const music = catalog.assets.filter((asset) => asset.asset_type === 'audio');
  const [adding, setAdding] = useState('');
  const chosen = adding !== '' ? Number(adding) : music[0]?.id;
  const setPlaylist = (ids: number[]) => params({ asset_ids: ids });
  const move = (from: number, to: number) => {
    const next = [...playlist];
    const [item] = next.splice(from, 1);
    next.splice(to, 0, item!);
    setPlaylist(next);
  };
  const listError = at('params.asset_ids');
  return (
    <>
      <LicenceNotice />
      <fieldset className="insp-playlist">
        <legend>Playlist (played in order)</legend>
        {listError ? <small className="field-error">{listError}</small> : null}
        <ol>
          {playlist.map((assetId, index) => {
            const name = assetName(catalog, assetId);
            const error = at(`params.asset_ids[${index}]`);
            return (
              <li key={`${assetId}-${index}`} className={error ? 'field-invalid' : undefined}>
                <span className="insp-playlist-name">{name}</span>
                <span className="insp-playlist-actions">
                  <button
                    type="button"
                    aria-label={`Move ${name} up`}
                    disabled={index === 0}
                    onClick={() => move(index, index - 1)}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    aria-label={`Move ${name} down`}
                    disabled={index === playlist.length - 1}
                    onClick={() => move(index, index + 1)}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    aria-label={`Take ${name} off the playlist`}
                    disabled={playlist.length === 1}
                    title={playlist.length === 1 ? 'A music cue needs one file at least' : undefined}
                    onClick={() => setPlaylist(playlist.filter((_, i) => i !== index))}
                  >
                    ×
                  </button>
                </span>
                {error ? <small className="field-error">{error}</small> : null}
              </li>
            );
          })}
        </ol>
        {music.length === 0 ? (
          <p className="hint">No audio uploaded yet: upload MP3, WAV or AAC files on the Media page.</p>
        ) : (
          <div className="insp-row insp-playlist-add">
            <SelectField
              label="Audio file"
              value={chosen === undefined ? '' : String(chosen)}
              onChange={(event) => setAdding(event.target.value)}
            >
              {music.map((asset) => (
                <option key={asset.id} value={asset.id}>
                  {asset.filename}
                </option>
              ))}
            </SelectField>
            <Button onClick={() => chosen !== undefined && setPlaylist([...playlist, chosen])}>
              Add to the playlist
            </Button>
          </div>
        )}
      </fieldset>
      <Switch
        label="Start the playlist again when it ends"
        checked={cue.params.loop ?? true}
        onChange={(loop) => params({ loop })}
      />
      <NumberField
        label="Volume (dB)"
        value={cue.params.volume_db ?? 0}
        min={-40}
        max={12}
        step="1"
        hint="0 plays the files as they are; −6 is about half as loud"
        error={at('params.volume_db')}
        onChange={(volume) => params({ volume_db: volume }, `volume-${cue.uid}`)}
      />
      <div className="insp-row">
        <NumberField
          label="Fade in (s)"
          value={cue.params.fade_in ?? 2}
          min={0}
          max={60}
          error={at('params.fade_in')}
          onChange={(seconds) => params({ fade_in: seconds }, `fade-in-${cue.uid}`)}
        />
        <NumberField
          label="Fade out (s)"
          value={cue.params.fade_out ?? 2}
          min={0}
          max={60}
          error={at('params.fade_out')}
          onChange={(seconds) => params({ fade_out: seconds }, `fade-out-${cue.uid}`)}
        />
      </div>
    </>
  );
}
