// This machine's capacity check while it runs (pre-flight measures it before a show starts, and
// the appliance at its first start): "Measuring this machine: testing veryfast, 30 fps, 1920×1080
// (2/4)", from the live feed.
import { useLive } from '../../app/live-context.ts';

export function CapacityProgress() {
  const measuring = useLive().state?.measuring ?? null;
  if (!measuring) return null;
  return (
    <p className="hint cr-small" role="status" data-testid="capacity-progress">
      {measuring.message}
    </p>
  );
}
