// A video cue's own sound while the audio bed plays: as the bed's track says, ducked under the
// music's level (the music drops while the camera has sound), or replaced by the music.
import { SelectField } from '../../../../components/ui.tsx';
import type { SourceAudio } from '../model.ts';

const WORDS: Record<SourceAudio, string> = {
  duck: 'duck the music under it',
  replace: 'replace it with the music',
};

export function SourceAudioField({
  value,
  bed,
  error,
  onChange,
}: {
  value: SourceAudio | undefined;
  /** The audio track's own choice (what "as the show" means). */
  bed: SourceAudio;
  error?: string | undefined;
  onChange: (value: SourceAudio | undefined) => void;
}) {
  return (
    <SelectField
      label="Camera sound under the music"
      value={value ?? ''}
      error={error}
      hint="Duck: the camera is heard and the music drops under it. Replace: only the music."
      onChange={(event) =>
        onChange(event.target.value === '' ? undefined : (event.target.value as SourceAudio))
      }
    >
      <option value="">As the show ({WORDS[bed]})</option>
      <option value="duck">Duck: {WORDS.duck}</option>
      <option value="replace">Replace: {WORDS.replace}</option>
    </SelectField>
  );
}
