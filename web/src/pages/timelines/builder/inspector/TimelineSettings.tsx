// The timeline's own settings: length, description, frame rate and size, and what stands in when
// a camera or the video track has nothing to show.
import { Field, SelectField } from '../../../../components/ui.tsx';
import { cameraName } from '../catalog.ts';
import { issueAt, type Model } from '../model.ts';
import { setSettings } from '../state.ts';
import { TimeField } from './fields.tsx';
import type { InspectorProps } from './types.ts';

export function TimelineSettings({ editor, catalog, issues }: InspectorProps) {
  const s = editor.model.settings;
  const at = (field: string) => issueAt(issues, { field });
  const set = (patch: Partial<Model['settings']>, merge?: string) => editor.edit(setSettings(patch), merge);
  const images = catalog.assets.filter((asset) => asset.asset_type === 'image');
  const fpsChoices = [...new Set([25, 30, 50, 60, s.fps])].sort((a, b) => a - b);
  const sizes = [...new Set(['1280x720', '1920x1080', '3840x2160', s.resolution])];
  return (
    <section aria-label="Timeline settings">
      <h2>Timeline settings</h2>
      <TimeField
        label="Timeline length"
        value={s.duration}
        error={at('duration')}
        hint="How long one pass lasts (h:mm:ss); with Loop on it starts again"
        onChange={(duration) => set({ duration })}
      />
      <Field
        label="Description"
        value={s.description ?? ''}
        error={at('description')}
        onChange={(event) => set({ description: event.target.value || undefined }, 'description')}
      />
      <div className="insp-row">
        <SelectField
          label="Frame rate"
          value={String(s.fps)}
          error={at('fps')}
          onChange={(event) => set({ fps: Number(event.target.value) })}
        >
          {fpsChoices.map((fps) => (
            <option key={fps} value={fps}>
              {fps} fps
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Picture size"
          value={s.resolution}
          error={at('resolution')}
          onChange={(event) => set({ resolution: event.target.value })}
        >
          {sizes.map((size) => (
            <option key={size} value={size}>
              {size.replace('x', ' × ')}
            </option>
          ))}
        </SelectField>
      </div>
      <h3>When something is missing</h3>
      <SelectField
        label="Backup camera"
        value={s.backupCameraId === undefined ? '' : String(s.backupCameraId)}
        error={at('fallback.backup_camera_id')}
        hint="Shown when a camera of this timeline stops answering"
        onChange={(event) =>
          set({ backupCameraId: event.target.value === '' ? undefined : Number(event.target.value) })
        }
      >
        <option value="">None (show the slate)</option>
        {catalog.cameras.map((camera) => (
          <option key={camera.id} value={camera.id}>
            {camera.name}
          </option>
        ))}
        {s.backupCameraId !== undefined && !catalog.cameras.some((c) => c.id === s.backupCameraId) ? (
          <option value={s.backupCameraId}>{cameraName(catalog, s.backupCameraId)}</option>
        ) : null}
      </SelectField>
      <SelectField
        label="Slate image"
        value={s.testPattern ?? ''}
        error={at('fallback.test_pattern')}
        hint="Shown in gaps of the video track and when no camera can stand in"
        onChange={(event) => set({ testPattern: event.target.value === '' ? undefined : event.target.value })}
      >
        <option value="">Built-in colour bars</option>
        {images.map((asset) => (
          <option key={asset.id} value={`/${asset.file_path}`}>
            {asset.filename}
          </option>
        ))}
        {s.testPattern !== undefined && !images.some((a) => `/${a.file_path}` === s.testPattern) ? (
          <option value={s.testPattern}>{s.testPattern}</option>
        ) : null}
      </SelectField>
    </section>
  );
}
