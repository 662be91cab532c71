// Degraded mode as a banner at the top of the control room (issue 16): what is reduced and why,
// what happens to the overlays (degraded mode never takes them off; those cleared by the operator
// are named with the way back), and how the full quality returns.
import type { LiveShow } from '../../../../src/domain/live.ts';
import { formatDuration } from '../../components/ui.tsx';

/** How the operator's settings come back, in words. */
function wayBack(quality: LiveShow['quality']): string {
  if (quality.held)
    return 'You hold this level: set “Hold the quality” (Picture quality, below) back to Automatic to let it return.';
  if (quality.nextStepUpInSeconds !== null && quality.nextStepUpInSeconds > 0)
    return `It steps back up by itself in about ${formatDuration(quality.nextStepUpInSeconds)} if the show stays calm (when the CPU allows).`;
  return 'It steps back up by itself as soon as the show has been calm long enough (when the CPU allows).';
}

export function DegradedBanner({ show }: { show: LiveShow }) {
  const { quality } = show;
  if (!quality.degraded || show.demo) return null;
  const ladderTop = quality.ladder[0];
  const hidden = show.overrides.hiddenOverlayCues.length;
  return (
    <section className="cr-degraded" aria-labelledby="cr-degraded-title" data-testid="degraded-banner">
      <h2 id="cr-degraded-title" className="cr-degraded-title">
        {/* While a move is carried out the old level is still on air: say where it is going. */}
        {quality.switching
          ? `Reducing the quality: switching to ${quality.ladder[quality.level] ?? 'a lighter level'}…`
          : `Reduced quality on air: ${quality.description}`}
      </h2>
      <p className="cr-degraded-line">
        {quality.reason
          ? `Why: ${quality.reason.replace(/^because /, '')}.`
          : 'Why: degraded mode lowered it to keep the stream going.'}
        {ladderTop ? ` Your settings: ${ladderTop}.` : ''}
      </p>
      {quality.symptoms.length > 0 ? (
        <p className="cr-degraded-line">The show suffers now: {quality.symptoms.join('; ')}.</p>
      ) : null}
      <p className="cr-degraded-line">{wayBack(quality)}</p>
      <p className="cr-degraded-line" data-testid="degraded-overlays">
        {hidden > 0
          ? `Overlays: ${hidden} off — cleared by you, not by degraded mode; “Restore overlays” under Manual overrides brings them back now. The others stay on air.`
          : `Overlays: all stay on air — degraded mode never takes them off${quality.overlayCostPercent !== null ? ` (they cost ${quality.overlayCostPercent < 1 ? 'under 1' : Math.round(quality.overlayCostPercent)} % of a core)` : ''}.`}
      </p>
    </section>
  );
}
