// When the time-lapse encode must give the machine back to the show (pure): while the show shows
// any symptom (late or dropped ticks, a slow encoder, a destination's queue), while a quality move
// is carried out, and for a while after degraded mode stepped down. Symptoms come well before
// degraded mode, which needs most seconds of a 10 s window overloaded, so an encode paused at the
// first one does not push the show there. A show that merely starts below the operator's settings
// (the capacity check's choice) and runs calmly there is no reason to wait: it may stay so all day.
export interface ShowQualityView {
  switching: boolean;
  symptoms: readonly string[];
  lastChange: { at: string; direction: 'down' | 'up' } | null;
}

/** After degraded mode stepped down, the encode keeps off the machine this long. */
export const AFTER_STEP_DOWN_MS = 10 * 60_000;

/** Why the encode should wait now, in words; null when the show can spare the machine. */
export function timelapsePressure(quality: ShowQualityView | null, wallNow: number): string | null {
  if (quality === null) return null;
  if (quality.switching) return 'the show is changing its quality';
  const symptom = quality.symptoms[0];
  if (symptom !== undefined) return `the show is under pressure (${symptom})`;
  const change = quality.lastChange;
  if (change?.direction === 'down' && wallNow - Date.parse(change.at) < AFTER_STEP_DOWN_MS)
    return 'degraded mode stepped the show down lately';
  return null;
}
