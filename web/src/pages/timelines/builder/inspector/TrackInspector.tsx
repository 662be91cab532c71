// The selected track: an overlay track's name, layer and on-air switch, a word on the video
// track, or the audio bed's settings.
import { Button, Field, SelectField } from '../../../../components/ui.tsx';
import { issueAt, type AudioTrack, type OverlayTrack, type PlacedIssue, type SourceAudio } from '../model.ts';
import { updateAudioTrack, updateOverlayTrack } from '../state.ts';
import type { Editor } from '../use-editor.ts';
import { NumberField, Switch } from './fields.tsx';
import { LicenceNotice } from './LicenceNotice.tsx';

export function OverlayTrackInspector({
  track,
  editor,
  issues,
  onRemoveTrack,
}: {
  track: OverlayTrack;
  editor: Editor;
  issues: readonly PlacedIssue[];
  onRemoveTrack: (uid: string) => void;
}) {
  return (
    <section aria-label="Track settings">
      <h2>Overlay track</h2>
      <Field
        label="Track name"
        value={track.name ?? ''}
        error={issueAt(issues, { trackUid: track.uid, field: 'name' })}
        onChange={(event) =>
          editor.edit(
            updateOverlayTrack(track.uid, { name: event.target.value || undefined }),
            `track-name-${track.uid}`,
          )
        }
      />
      <NumberField
        label="Layer"
        value={track.layer}
        step="1"
        min={1}
        max={100}
        hint="1 is the bottom; higher layers are drawn over lower ones"
        error={issueAt(issues, { trackUid: track.uid, field: 'layer' })}
        onChange={(layer) =>
          editor.edit(updateOverlayTrack(track.uid, { layer: layer ?? 1 }), `track-layer-${track.uid}`)
        }
      />
      <Switch
        label="On air (switch off to keep the cues but not show them)"
        checked={track.enabled}
        onChange={(enabled) => editor.edit(updateOverlayTrack(track.uid, { enabled }))}
      />
      <Button variant="danger" onClick={() => onRemoveTrack(track.uid)}>
        Remove this track
      </Button>
    </section>
  );
}

export function VideoTrackInspector() {
  return (
    <section aria-label="Track settings">
      <h2>Video track</h2>
      <p className="hint">
        One camera or media file is on air at a time. Where the track is empty, the slate is shown (set it in
        Timeline settings).
      </p>
    </section>
  );
}

/** The audio bed's settings: on or off, what the cameras' sound does under it, how far it ducks. */
export function AudioTrackInspector({
  track,
  editor,
  issues,
}: {
  track: AudioTrack;
  editor: Editor;
  issues: readonly PlacedIssue[];
}) {
  const at = (field: string) => issueAt(issues, { trackUid: track.uid, field });
  return (
    <section aria-label="Track settings">
      <h2>Audio bed</h2>
      <p className="hint">
        Music under the whole show: it carries on across camera cuts and transitions. Add music by dragging an
        audio file from the palette onto the Audio lane.
      </p>
      <LicenceNotice />
      <Switch
        label="Play the audio bed"
        checked={track.enabled}
        onChange={(enabled) => editor.edit(updateAudioTrack({ enabled }))}
      />
      <SelectField
        label="Camera sound"
        value={track.sourceAudio}
        error={at('source_audio')}
        hint="A video cue may choose otherwise in its own settings."
        onChange={(event) =>
          editor.edit(updateAudioTrack({ sourceAudio: event.target.value as SourceAudio }))
        }
      >
        <option value="duck">Duck the music under it</option>
        <option value="replace">Replace it with the music</option>
      </SelectField>
      {track.sourceAudio === 'duck' ? (
        <NumberField
          label="Duck the music by (dB)"
          value={track.duckDb}
          min={0}
          max={40}
          step="1"
          hint="How far the music drops while a camera has sound; 12 dB is about a quarter as loud"
          error={at('duck_db')}
          onChange={(duckDb) =>
            duckDb !== undefined ? editor.edit(updateAudioTrack({ duckDb }), 'audio-duck') : undefined
          }
        />
      ) : null}
    </section>
  );
}
