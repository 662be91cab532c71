// The selected track: an overlay track's name, layer and on-air switch, or a word on the video track.
import { Button, Field } from '../../../../components/ui.tsx';
import { issueAt, type OverlayTrack, type PlacedIssue } from '../model.ts';
import { updateOverlayTrack } from '../state.ts';
import type { Editor } from '../use-editor.ts';
import { NumberField, Switch } from './fields.tsx';

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
