// The selected cue: its problems, start and length, the fields of its kind (one file per kind),
// its name, and removing it.
import { Button, Field } from '../../../../components/ui.tsx';
import { cueTitle } from '../cues.ts';
import { issueAt, OVERLAY_LABELS, type Cue } from '../model.ts';
import { removeCue, setCueTimes, setParams, updateCue } from '../state.ts';
import { CameraFields } from './CameraFields.tsx';
import { TimeField } from './fields.tsx';
import { MediaFields } from './MediaFields.tsx';
import { OverlayFields } from './OverlayFields.tsx';
import type { InspectorProps } from './types.ts';

const CUE_HEADINGS: Record<Cue['action'], string> = {
  show_camera: 'Camera cue',
  show_media: 'Media cue',
  show_overlay: 'Overlay cue',
};

export function CueInspector({ editor, catalog, issues, cue, onSelect }: InspectorProps & { cue: Cue }) {
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
      {cue.action === 'show_overlay' ? (
        <OverlayFields cue={cue} catalog={catalog} at={at} params={params} />
      ) : null}
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
