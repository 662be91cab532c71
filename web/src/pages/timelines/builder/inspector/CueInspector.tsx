// The selected cue: its problems (an overlap with the button that fixes it), start and length,
// its repeat, its track, the fields of its kind (one file per kind), its name, and removing it.
import { Button, Field, SelectField } from '../../../../components/ui.tsx';
import { cueTitle } from '../cues.ts';
import { moveCueToNewTrack, moveCueToTrack, overlappedBy, placeAfterPrevious } from '../edits.ts';
import { formatTime, issueAt, OVERLAY_LABELS, repeatGhosts, type Cue } from '../model.ts';
import { removeCue, setCueTimes, setParams, setRepeat, updateCue } from '../state.ts';
import { AudioFields } from './AudioFields.tsx';
import { CameraFields } from './CameraFields.tsx';
import { NumberField, Switch, TimeField } from './fields.tsx';
import { MediaFields } from './MediaFields.tsx';
import { SourceAudioField } from './SourceAudioField.tsx';
import { OverlayFields } from './OverlayFields.tsx';
import type { InspectorProps } from './types.ts';

const CUE_HEADINGS: Record<Cue['action'], string> = {
  show_camera: 'Camera cue',
  show_media: 'Media cue',
  show_overlay: 'Overlay cue',
  play_audio: 'Music cue',
};

/** A new repeat's interval: every 10 minutes (the common "lower third every 10 min"). */
const DEFAULT_REPEAT_SECONDS = 600;
const NEW_TRACK = 'new';

export function CueInspector({ editor, catalog, issues, cue, onSelect }: InspectorProps & { cue: Cue }) {
  const model = editor.model;
  const at = (field: string) => issueAt(issues, { cueUid: cue.uid, field });
  const general = issues.filter(
    (issue) =>
      issue.cueUid === cue.uid &&
      issue.severity === 'error' &&
      (issue.field === null || issue.field === 'params'),
  );
  const warnings = issues.filter((issue) => issue.cueUid === cue.uid && issue.severity === 'warning');
  const params = (patch: Record<string, unknown>, merge?: string) =>
    editor.edit(setParams(cue.uid, patch), merge);
  const heading = cue.action === 'show_overlay' ? OVERLAY_LABELS[cue.params.type] : CUE_HEADINGS[cue.action];
  const repeatFields = (
    <RepeatFields cue={cue} editor={editor} at={at} timelineDuration={model.settings.duration} />
  );
  const trackField = (
    <SelectField
      label="Track"
      value={model.overlays.find((t) => t.cues.some((c) => c.uid === cue.uid))?.uid ?? ''}
      onChange={(event) => {
        const target = event.target.value;
        if (target === NEW_TRACK) editor.edit((m) => moveCueToNewTrack(m, cue.uid)?.model ?? m);
        else editor.edit((m) => moveCueToTrack(m, cue.uid, target));
      }}
    >
      {[...model.overlays]
        .sort((a, b) => b.layer - a.layer)
        .map((track) => (
          <option key={track.uid} value={track.uid}>
            {track.name || `Overlays ${track.layer}`} (layer {track.layer})
          </option>
        ))}
      <option value={NEW_TRACK}>A new track on top</option>
    </SelectField>
  );
  return (
    <section aria-label="Cue settings">
      <h2>{heading}</h2>
      <p className="hint insp-summary">{cueTitle(cue, catalog)}</p>
      {general.map((issue) => (
        <p key={issue.path + issue.message} className="field-error insp-general" role="alert">
          {issue.message}
        </p>
      ))}
      {warnings.map((issue) => (
        <p key={issue.path + issue.message} className="insp-warning">
          {issue.message}
        </p>
      ))}
      <OverlapFix cue={cue} editor={editor} />
      <div className="insp-row">
        <TimeField
          label="Start"
          value={cue.start}
          error={at('start_time')}
          onChange={(start) => editor.edit(setCueTimes(cue.uid, start, cue.duration))}
        />
        <TimeField
          label="Length"
          value={cue.duration}
          error={at('duration')}
          onChange={(duration) => editor.edit(setCueTimes(cue.uid, cue.start, duration))}
        />
      </div>
      {cue.action === 'show_camera' ? (
        <CameraFields cue={cue} catalog={catalog} at={at} params={params} />
      ) : null}
      {cue.action === 'show_media' ? (
        <MediaFields cue={cue} catalog={catalog} at={at} params={params} />
      ) : null}
      {(cue.action === 'show_camera' || cue.action === 'show_media') && model.audio.cues.length > 0 ? (
        <SourceAudioField
          value={cue.params.source_audio}
          bed={model.audio.sourceAudio}
          error={at('params.source_audio')}
          onChange={(source_audio) => params({ source_audio })}
        />
      ) : null}
      {cue.action === 'play_audio' ? (
        <AudioFields cue={cue} catalog={catalog} at={at} params={params} />
      ) : null}
      {cue.action === 'show_overlay' ? (
        <OverlayFields
          cue={cue}
          catalog={catalog}
          at={at}
          params={params}
          between={
            <>
              {repeatFields}
              {trackField}
            </>
          }
        />
      ) : (
        repeatFields
      )}
      <Field
        label="Cue name"
        value={cue.id}
        error={at('id')}
        hint="Shown in the control room; letters, digits and _ . : -"
        onChange={(event) =>
          editor.edit(
            updateCue(cue.uid, (c) => ({ ...c, id: event.target.value }) as Cue),
            `id-${cue.uid}`,
          )
        }
      />
      <Button
        variant="danger"
        onClick={() => {
          editor.edit(removeCue(cue.uid));
          onSelect(null);
        }}
      >
        Remove cue
      </Button>
    </section>
  );
}

/** "Repeat every N minutes until …": one cue on air again and again, drawn as ghosts on its lane. */
function RepeatFields({
  cue,
  editor,
  at,
  timelineDuration,
}: {
  cue: Cue;
  editor: InspectorProps['editor'];
  at: (field: string) => string | undefined;
  timelineDuration: number;
}) {
  const repeat = cue.repeat;
  const copies = repeatGhosts(cue, timelineDuration).length;
  return (
    <fieldset className="insp-repeat">
      <legend className="visually-hidden">Repeat</legend>
      <Switch
        label="Repeat"
        checked={repeat !== undefined}
        onChange={(on) => editor.edit(setRepeat(cue.uid, on ? { every: DEFAULT_REPEAT_SECONDS } : undefined))}
      />
      {repeat ? (
        <>
          <div className="insp-row">
            <NumberField
              label="Every (minutes)"
              value={roundMinutes(repeat.every)}
              min={0}
              step="any"
              error={at('repeat.every') ?? at('repeat')}
              onChange={(minutes) =>
                minutes !== undefined && minutes > 0
                  ? editor.edit(setRepeat(cue.uid, { ...repeat, every: minutes * 60 }), `repeat-${cue.uid}`)
                  : undefined
              }
            />
            <NumberField
              label="Until (minutes)"
              value={repeat.until === undefined ? undefined : roundMinutes(repeat.until)}
              min={0}
              step="any"
              placeholder="the end"
              error={at('repeat.until')}
              onChange={(minutes) =>
                editor.edit(
                  setRepeat(cue.uid, {
                    every: repeat.every,
                    ...(minutes !== undefined && minutes > 0 ? { until: minutes * 60 } : {}),
                  }),
                  `repeat-until-${cue.uid}`,
                )
              }
            />
          </div>
          <p className="hint">
            {copies === 0
              ? 'No copy fits before the end: make the interval shorter.'
              : `On air ${copies + 1} times: also at ${repeatGhosts(cue, timelineDuration)
                  .slice(0, 4)
                  .map((start) => formatTime(start))
                  .join(', ')}${copies > 4 ? '…' : ''}. Edit this cue and every copy follows.`}
          </p>
        </>
      ) : null}
    </fieldset>
  );
}

function roundMinutes(seconds: number): number {
  return Math.round((seconds / 60) * 1000) / 1000;
}

/** When the cue starts while another on its track is still on: say so, with the fix. */
function OverlapFix({ cue, editor }: { cue: Cue; editor: InspectorProps['editor'] }) {
  const other = overlappedBy(editor.model, cue.uid);
  if (!other) return null;
  return (
    <div className="insp-fix" role="group" aria-label="Overlap">
      <p>
        Overlaps “{other.id}” ({formatTime(other.start)}–{formatTime(other.start + other.duration)}).
      </p>
      {cue.action === 'show_overlay' ? (
        <Button onClick={() => editor.edit((m) => moveCueToNewTrack(m, cue.uid)?.model ?? m)}>
          Move to a new track
        </Button>
      ) : (
        <Button onClick={() => editor.edit((m) => placeAfterPrevious(m, cue.uid))}>
          Place after the previous cue
        </Button>
      )}
    </div>
  );
}
