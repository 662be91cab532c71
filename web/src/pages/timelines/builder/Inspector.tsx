// The inspector: the selected cue's parameters, the selected track's settings, or the timeline's
// own settings. Every field shows the appliance's problem for its JSON path next to it. The parts
// live in inspector/: generic field widgets, and one file per cue kind and overlay kind.
import { useEffect, useState } from 'react';
import { CueInspector } from './inspector/CueInspector.tsx';
import { TimelineSettings } from './inspector/TimelineSettings.tsx';
import {
  AudioTrackInspector,
  OverlayTrackInspector,
  VideoTrackInspector,
} from './inspector/TrackInspector.tsx';
import type { InspectorProps } from './inspector/types.ts';
import { findCue } from './model.ts';

export function Inspector(props: InspectorProps) {
  const { editor, selection } = props;
  const [tab, setTab] = useState<'selection' | 'timeline'>('selection');
  const found = selection?.kind === 'cue' ? findCue(editor.model, selection.uid) : null;
  const track =
    selection?.kind === 'track' ? editor.model.overlays.find((t) => t.uid === selection.uid) : undefined;
  const videoTrack = selection?.kind === 'track' && selection.uid === 'video';
  const audioTrack = selection?.kind === 'track' && selection.uid === 'audio';
  useEffect(() => {
    if (selection) setTab('selection');
  }, [selection]);
  const hasSelection = Boolean(found || track || videoTrack || audioTrack);
  const current = hasSelection ? tab : 'timeline';
  return (
    <aside className="inspector" aria-label="Inspector">
      <div className="insp-tabs" role="tablist" aria-label="Inspector">
        <button
          type="button"
          role="tab"
          aria-selected={current === 'selection'}
          disabled={!hasSelection}
          onClick={() => setTab('selection')}
        >
          {found ? 'Cue' : track || videoTrack || audioTrack ? 'Track' : 'Cue'}
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={current === 'timeline'}
          onClick={() => setTab('timeline')}
        >
          Timeline settings
        </button>
      </div>
      <div className="insp-body" role="tabpanel">
        {current === 'timeline' ? <TimelineSettings {...props} /> : null}
        {current === 'selection' && found ? <CueInspector {...props} cue={found.cue} /> : null}
        {current === 'selection' && track ? (
          <OverlayTrackInspector
            track={track}
            editor={editor}
            issues={props.issues}
            onRemoveTrack={props.onRemoveTrack}
          />
        ) : null}
        {current === 'selection' && videoTrack ? <VideoTrackInspector /> : null}
        {current === 'selection' && audioTrack ? (
          <AudioTrackInspector track={editor.model.audio} editor={editor} issues={props.issues} />
        ) : null}
      </div>
    </aside>
  );
}
