// The machine's H.264 encoder, probed once per process: its encoders do not change while it runs,
// and a probe is a few real test encodes (seconds). Pre-flight, the capacity check and every show
// share the one answer, so they never disagree about the encoder.
import { detectH264Encoder, type EncoderDetection } from './hardware.ts';

export type EncoderProbe = () => Promise<EncoderDetection>;

/** A probe that runs `detect` at the first call and answers every later call with that result. */
export function memoiseEncoderProbe(detect: EncoderProbe): EncoderProbe {
  let detection: Promise<EncoderDetection> | null = null;
  return () => (detection ??= detect());
}

/** This process's encoder probe (the one memo: pass it on, do not make another). */
export const machineEncoder: EncoderProbe = memoiseEncoderProbe(() => detectH264Encoder());
