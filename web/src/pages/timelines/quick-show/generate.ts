// "New looping show": the operator's few choices (sources in running order, length, one
// transition, lower thirds, a clock, a logo) become an ordinary timeline document. Pure: no React,
// no requests, so the arithmetic (even split, remainders, repeats) is unit-tested.
import type { TimelineInput } from '../../../../../src/timeline/schema.ts';

export type QuickTransition = 'cut' | 'fade' | 'dissolve';

export type QuickSource =
  | { kind: 'camera'; cameraId: number; name: string }
  | { kind: 'media'; assetId: number; mediaType: 'image' | 'video'; name: string };

export interface QuickSourceRow {
  source: QuickSource;
  /** Whole minutes on air, or null to share what is left evenly with the other null rows. */
  minutes: number | null;
}

export interface QuickLowerThird {
  title: string;
  subtitle: string;
  showSeconds: number;
  everyMinutes: number;
}

export interface QuickShowChoices {
  name: string;
  lengthMinutes: number;
  loop: boolean;
  rows: QuickSourceRow[];
  transition: QuickTransition;
  transitionSeconds: number;
  lowerThirds: QuickLowerThird[];
  clock: boolean;
  /** An image asset shown as a logo in the top left corner for the whole show, or null. */
  logoAssetId: number | null;
}

export const QUICK_SHOW_DEFAULTS = {
  name: 'Looping show',
  lengthMinutes: 30,
  transition: 'dissolve',
  transitionSeconds: 1,
  lowerThird: { showSeconds: 30, everyMinutes: 10 },
} as const;

/** Longest quick show: one day (a longer plan is better made in the builder). */
export const MAX_QUICK_SHOW_MINUTES = 24 * 60;
/** Lower thirds after the first start this many seconds after the one before ends. */
const LOWER_THIRD_GAP_SECONDS = 5;
const FADE_SECONDS = 0.5;

/** A problem with one field of the form, in words, with where it belongs. */
export interface QuickShowProblem {
  field: 'name' | 'length' | 'sources' | 'transition' | `lowerThird.${number}.${'title' | 'show' | 'every'}`;
  message: string;
}

export type QuickShowPlan = { ok: true; seconds: number[] } | { ok: false; problems: QuickShowProblem[] };

function minutesText(seconds: number): string {
  const minutes = Math.round((seconds / 60) * 100) / 100;
  return `${minutes} min`;
}

/**
 * Seconds on air of each row: fixed rows get their minutes, the rest share what is left in whole
 * seconds (the first rows take the odd seconds), so the rows always add up to the show's length.
 */
export function planSources(choices: QuickShowChoices): QuickShowPlan {
  const problems = checkChoices(choices);
  if (problems.length > 0) return { ok: false, problems };
  const total = Math.round(choices.lengthMinutes * 60);
  const fixed = choices.rows.reduce(
    (sum, row) => sum + (row.minutes === null ? 0 : Math.round(row.minutes * 60)),
    0,
  );
  const evenRows = choices.rows.filter((row) => row.minutes === null).length;
  const left = total - fixed;
  if (evenRows === 0 && left !== 0) {
    const message =
      left > 0
        ? `The sources add up to ${minutesText(fixed)}, ${minutesText(left)} short of the ${minutesText(total)} show: lengthen one, or clear one's minutes to split the rest evenly.`
        : `The sources add up to ${minutesText(fixed)}, ${minutesText(-left)} more than the ${minutesText(total)} show: shorten one, or make the show longer.`;
    return { ok: false, problems: [{ field: 'sources', message }] };
  }
  if (evenRows > 0 && left < evenRows * 60) {
    return {
      ok: false,
      problems: [
        {
          field: 'sources',
          message: `The sources with minutes take ${minutesText(fixed)} of the ${minutesText(total)} show, leaving ${left > 0 ? minutesText(left) : 'nothing'} for the ${evenRows} split evenly (each needs at least 1 min): shorten a source by ${minutesText(evenRows * 60 - left)}, or make the show longer.`,
        },
      ],
    };
  }
  const share = evenRows > 0 ? Math.floor(left / evenRows) : 0;
  let odd = evenRows > 0 ? left - share * evenRows : 0;
  const seconds = choices.rows.map((row) => {
    if (row.minutes !== null) return Math.round(row.minutes * 60);
    const extra = odd > 0 ? 1 : 0;
    odd -= extra;
    return share + extra;
  });
  return { ok: true, seconds };
}

function checkChoices(choices: QuickShowChoices): QuickShowProblem[] {
  const problems: QuickShowProblem[] = [];
  if (choices.name.trim() === '') problems.push({ field: 'name', message: 'Give the show a name.' });
  else if (choices.name.trim().length > 100)
    problems.push({ field: 'name', message: 'The name may be at most 100 characters.' });
  if (!Number.isFinite(choices.lengthMinutes) || choices.lengthMinutes < 1)
    problems.push({ field: 'length', message: 'The show must be at least 1 minute long.' });
  else if (choices.lengthMinutes > MAX_QUICK_SHOW_MINUTES)
    problems.push({
      field: 'length',
      message: `A quick show is at most ${MAX_QUICK_SHOW_MINUTES / 60} hours long; loop it, or make a longer plan in the builder.`,
    });
  if (choices.rows.length === 0)
    problems.push({ field: 'sources', message: 'Choose at least one camera or video to show.' });
  choices.rows.forEach((row, index) => {
    if (row.minutes !== null && !(Number.isFinite(row.minutes) && row.minutes > 0))
      problems.push({
        field: 'sources',
        message: `Source ${index + 1} (${row.source.name}) needs a number of minutes above 0, or leave it empty to split evenly.`,
      });
  });
  if (choices.transition !== 'cut' && !(choices.transitionSeconds > 0 && choices.transitionSeconds <= 10))
    problems.push({
      field: 'transition',
      message: 'A fade or dissolve lasts from a fraction of a second up to 10 seconds.',
    });
  let lowerStart = 0;
  choices.lowerThirds.forEach((lowerThird, index) => {
    if (index > 0 && lowerStart >= choices.lengthMinutes * 60)
      problems.push({
        field: `lowerThird.${index}.show`,
        message: `It would first show at ${lowerStart} s, after the show ends: remove a lower third or show them shorter.`,
      });
    lowerStart += lowerThird.showSeconds + LOWER_THIRD_GAP_SECONDS;
    if (lowerThird.title.trim() === '')
      problems.push({
        field: `lowerThird.${index}.title`,
        message: 'Type the title to show, or remove this lower third.',
      });
    if (!(lowerThird.showSeconds >= 1))
      problems.push({ field: `lowerThird.${index}.show`, message: 'Show it for at least 1 second.' });
    if (!(lowerThird.everyMinutes > 0))
      problems.push({
        field: `lowerThird.${index}.every`,
        message: 'Repeat it every so many minutes (above 0).',
      });
    else if (lowerThird.everyMinutes * 60 < lowerThird.showSeconds)
      problems.push({
        field: `lowerThird.${index}.every`,
        message: `It is shown for ${lowerThird.showSeconds} s, longer than the ${lowerThird.everyMinutes} min between showings: repeat it less often or show it shorter.`,
      });
  });
  return problems;
}

/** The timeline document for the choices, or the problems that stop it being made. */
export function quickShowTimeline(
  choices: QuickShowChoices,
): { ok: true; timeline: TimelineInput } | { ok: false; problems: QuickShowProblem[] } {
  const plan = planSources(choices);
  if (!plan.ok) return plan;
  const duration = Math.round(choices.lengthMinutes * 60);

  let start = 0;
  const videoCues = choices.rows.map((row, index) => {
    const cueStart = start;
    start += plan.seconds[index]!;
    const transition =
      choices.transition === 'cut'
        ? { transition: 'cut' as const }
        : { transition: choices.transition, transition_duration: choices.transitionSeconds };
    const base = { id: `source_${index + 1}`, start_time: cueStart, duration: plan.seconds[index]! };
    return row.source.kind === 'camera'
      ? { ...base, action: 'show_camera' as const, params: { camera_id: row.source.cameraId, ...transition } }
      : {
          ...base,
          action: 'show_media' as const,
          params: {
            asset_id: row.source.assetId,
            media_type: row.source.mediaType,
            loop: true,
            ...transition,
          },
        };
  });

  type OverlayTrackInput = NonNullable<TimelineInput['tracks']['overlays']>[number];
  const overlays: OverlayTrackInput[] = [];
  if (choices.lowerThirds.length > 0) {
    let lowerStart = 0;
    overlays.push({
      track_id: 'lower_thirds',
      type: 'overlay',
      name: 'Lower thirds',
      layer: 1,
      cues: choices.lowerThirds.map((lowerThird, index) => {
        const cueStart = lowerStart;
        lowerStart += lowerThird.showSeconds + LOWER_THIRD_GAP_SECONDS;
        const subtitle = lowerThird.subtitle.trim();
        return {
          id: `lower_third_${index + 1}`,
          start_time: cueStart,
          duration: Math.min(lowerThird.showSeconds, duration - cueStart),
          repeat: { every: lowerThird.everyMinutes * 60 },
          action: 'show_overlay' as const,
          params: {
            type: 'lower_third' as const,
            text: lowerThird.title.trim(),
            ...(subtitle !== '' ? { subtitle } : {}),
            fade_in: FADE_SECONDS,
            fade_out: FADE_SECONDS,
          },
        };
      }),
    });
  }
  if (choices.logoAssetId !== null) {
    overlays.push({
      track_id: 'logo',
      type: 'overlay',
      name: 'Logo',
      layer: 2,
      cues: [
        {
          id: 'logo',
          start_time: 0,
          duration,
          action: 'show_overlay',
          params: { type: 'logo', asset_id: choices.logoAssetId, position: 'top_left' },
        },
      ],
    });
  }
  if (choices.clock) {
    overlays.push({
      track_id: 'clock',
      type: 'overlay',
      name: 'Clock',
      layer: 3,
      cues: [
        {
          id: 'clock',
          start_time: 0,
          duration,
          action: 'show_overlay',
          params: { type: 'dynamic_text', template: '{time}', position: 'top_right' },
        },
      ],
    });
  }

  const running = choices.rows
    .map((row, index) => `${row.source.name} ${minutesText(plan.seconds[index]!)}`)
    .join(', ');
  return {
    ok: true,
    timeline: {
      name: choices.name.trim(),
      description: `Made with “New looping show”: ${running}.`.slice(0, 2000),
      duration,
      fps: 30,
      resolution: '1920x1080',
      loop: choices.loop,
      tracks: { video: { track_id: 'video', type: 'video', name: 'Program', cues: videoCues }, overlays },
    },
  };
}
