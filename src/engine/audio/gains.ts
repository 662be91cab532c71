// The slow-moving gains of the program mix, as pure state machines stepped once per tick (the
// mixer ramps linearly between a tick's start and end value, so no gain ever steps: no clicks).
// - Ducking: the bed drops by duck_db while the on-air source has sound, in ~0.3 s, and comes
//   back in ~1.5 s once it has been quiet (linear in dB, so a smaller duck moves as fast in time).
// - Loudness: a slow gain holding the program's short-term loudness at the target, bounded, and
//   frozen while the program is silent so silence is not pumped up.
// - Limiter: a peak limiter at −1 dBFS (instant attack, 50 ms release, and a hard ceiling).

/** The source counts as having sound while its level (RMS, sine-referred) is above this. */
export const SOURCE_PRESENT_DBFS = -45;
/** Time to go fully down when the source's sound starts, and fully back up after it stops. */
export const DUCK_ATTACK_SECONDS = 0.3;
export const DUCK_RELEASE_SECONDS = 1.5;
/** The loudness gain's bounds and the fastest it moves. */
export const LOUDNESS_GAIN_MIN_DB = -20;
export const LOUDNESS_GAIN_MAX_DB = 12;
export const LOUDNESS_GAIN_UP_DB_PER_SECOND = 3;
/** Coming down is faster: a loud source is tamed sooner than a quiet one is raised. */
export const LOUDNESS_GAIN_DOWN_DB_PER_SECOND = 6;
/** Below this short-term loudness the program is silent: the loudness gain holds still. */
export const LOUDNESS_SILENCE_LUFS = -50;
export const LIMITER_CEILING_DBFS = -1;
const LIMITER_RELEASE_SECONDS = 0.05;

export function dbToGain(db: number): number {
  return Math.pow(10, db / 20);
}

/** A fade's amplitude factor at `seconds` into a cue of `length` seconds (linear ramps). */
export function fadeFactor(seconds: number, length: number, fadeIn: number, fadeOut: number): number {
  if (seconds < 0 || seconds >= length) return 0;
  let factor = 1;
  if (fadeIn > 0 && seconds < fadeIn) factor = seconds / fadeIn;
  const left = length - seconds;
  if (fadeOut > 0 && left < fadeOut) factor = Math.min(factor, left / fadeOut);
  return factor;
}

/** The bed's ducking gain in dB (0 or down to −duckDb). */
export class DuckingGain {
  private db = 0;

  /** The gain now (dB). */
  get gainDb(): number {
    return this.db;
  }

  /** Moves the gain on by `seconds` toward ducked (source sound present) or open; returns it. */
  step(sourcePresent: boolean, duckDb: number, seconds: number): number {
    const target = sourcePresent ? -duckDb : 0;
    if (duckDb <= 0) {
      this.db = 0;
      return 0;
    }
    const rate = sourcePresent ? duckDb / DUCK_ATTACK_SECONDS : duckDb / DUCK_RELEASE_SECONDS;
    const move = rate * seconds;
    if (this.db > target) this.db = Math.max(target, this.db - move);
    else if (this.db < target) this.db = Math.min(target, this.db + move);
    return this.db;
  }
}

/** The level detector of the ducking: the RMS of the source's last ~100 ms (a box window, so it
 *  lets go 100 ms after the sound stops rather than decaying for half a second). */
export class SourcePresence {
  private readonly energies: number[] = [];
  private readonly durations: number[] = [];
  private energy = 0;
  private duration = 0;

  /** Adds a tick's mean square (fractions of full scale) lasting `seconds`; true when present. */
  step(tickMeanSquare: number, seconds: number): boolean {
    this.energies.push(tickMeanSquare * seconds);
    this.durations.push(seconds);
    this.energy += tickMeanSquare * seconds;
    this.duration += seconds;
    while (this.durations.length > 1 && this.duration - this.durations[0]! >= 0.1 - 1e-9) {
      this.energy -= this.energies.shift()!;
      this.duration -= this.durations.shift()!;
    }
    return this.present;
  }

  get present(): boolean {
    if (this.duration <= 0) return false;
    // Sine-referred like the audio meter: RMS·√2 (mean square ×2).
    const level = 10 * Math.log10(Math.max(0, this.energy / this.duration) * 2 + 1e-20);
    return level > SOURCE_PRESENT_DBFS;
  }
}

/** The loudness normalisation gain (dB) toward the target, from the pre-gain short-term loudness. */
export class LoudnessGain {
  /** From 0 dB: a show starts at the sources' own level and moves from there (never a blast while
   *  the first, maybe fading-in, 400 ms is measured). */
  private db = 0;

  get gainDb(): number {
    return this.db;
  }

  /** Moves the gain on by `seconds`; `shortTerm` is the un-normalised mix's (null: not yet or silent). */
  step(target: number, shortTerm: number | null, seconds: number): number {
    if (shortTerm === null || shortTerm < LOUDNESS_SILENCE_LUFS) return this.db; // frozen
    const wanted = Math.min(LOUDNESS_GAIN_MAX_DB, Math.max(LOUDNESS_GAIN_MIN_DB, target - shortTerm));
    this.db =
      wanted > this.db
        ? Math.min(wanted, this.db + LOUDNESS_GAIN_UP_DB_PER_SECOND * seconds)
        : Math.max(wanted, this.db - LOUDNESS_GAIN_DOWN_DB_PER_SECOND * seconds);
    return this.db;
  }
}

/** A peak limiter on interleaved stereo floats (in place): nothing leaves above the ceiling. */
export class PeakLimiter {
  private envelope = 1;
  private readonly ceiling = dbToGain(LIMITER_CEILING_DBFS);
  private readonly release = 1 - Math.exp(-1 / (LIMITER_RELEASE_SECONDS * 48_000));
  /** Samples the limiter turned down, since the start (for the stats). */
  limitedFrames = 0;

  process(samples: Float32Array, frames: number): void {
    const ceiling = this.ceiling;
    let envelope = this.envelope;
    for (let frame = 0, at = 0; frame < frames; frame++, at += 2) {
      const l = samples[at]!;
      const r = samples[at + 1]!;
      const peak = Math.max(l < 0 ? -l : l, r < 0 ? -r : r);
      // Both channels share one gain so the stereo image stays put. Release first, then check:
      // the gain applied is never one that lets this sample over.
      envelope += (1 - envelope) * this.release;
      if (peak * envelope > ceiling) {
        envelope = ceiling / peak;
        this.limitedFrames++;
      }
      samples[at] = l * envelope;
      samples[at + 1] = r * envelope;
    }
    this.envelope = envelope;
  }
}
