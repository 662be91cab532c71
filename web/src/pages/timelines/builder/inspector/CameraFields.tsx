// A camera cue: which camera, the PTZ preset it moves to first, and its transition in.
import { SelectField } from '../../../../components/ui.tsx';
import { cameraName } from '../catalog.ts';
import type { CameraCue } from '../model.ts';
import { TransitionFields } from './TransitionFields.tsx';
import type { CueFieldsProps } from './types.ts';

export function CameraFields({ cue, catalog, at, params }: CueFieldsProps<CameraCue>) {
  const presets = catalog.presets.get(cue.params.camera_id) ?? [];
  const preset = cue.params.preset_id === undefined ? '' : String(cue.params.preset_id);
  return (
    <>
      <SelectField
        label="Camera"
        value={String(cue.params.camera_id)}
        error={at('params.camera_id')}
        onChange={(event) => params({ camera_id: Number(event.target.value), preset_id: undefined })}
      >
        {catalog.cameras.map((camera) => (
          <option key={camera.id} value={camera.id}>
            {camera.name}
          </option>
        ))}
        {!catalog.cameras.some((camera) => camera.id === cue.params.camera_id) ? (
          <option value={cue.params.camera_id}>{cameraName(catalog, cue.params.camera_id)}</option>
        ) : null}
      </SelectField>
      <SelectField
        label="PTZ preset"
        value={preset}
        error={at('params.preset_id')}
        hint={
          presets.length === 0 ? 'This camera has no stored presets' : 'The camera moves there before the cue'
        }
        onChange={(event) =>
          params({ preset_id: event.target.value === '' ? undefined : event.target.value })
        }
      >
        <option value="">None (where it points)</option>
        {presets.map((p) => (
          <option key={p.id} value={p.name}>
            {p.name}
          </option>
        ))}
        {preset !== '' && !presets.some((p) => p.name === preset) ? (
          <option value={preset}>{preset}</option>
        ) : null}
      </SelectField>
      <TransitionFields
        transition={cue.params.transition ?? 'cut'}
        duration={cue.params.transition_duration}
        at={at}
        params={params}
      />
    </>
  );
}
