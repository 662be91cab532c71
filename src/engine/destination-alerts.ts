// One alert per destination outage, from its first failure (so History has every one) until it
// sends again; after many failures in a row it becomes an error.
import type { Logger } from '../core/logger.ts';
import { destinationFailingAlert, destinationOffAirAlert } from '../errors/alert-messages.ts';
import type { EngineAlerts } from './engine-alerts.ts';
import type { FlvOutput } from './outputs.ts';

/** Raises and clears the outage alerts of one destination's output; returns the output. */
export function watchDestination(
  output: FlvOutput,
  alerts: EngineAlerts | undefined,
  logger: Logger,
): FlvOutput {
  const key = `destination:${output.status().id}:down`;
  let down = false;
  output.on('failure', (event) => {
    if (down) return;
    down = true;
    alerts?.raise({
      key,
      source: `destination:${event.id}`,
      ...destinationOffAirAlert({ destination: event.name, error: event.error }),
    });
  });
  output.on('failing', (event) => {
    down = true;
    alerts?.raise({
      key,
      source: `destination:${event.id}`,
      ...destinationFailingAlert({
        destination: event.name,
        consecutiveFailures: event.consecutiveFailures,
        lastError: event.lastError,
      }),
    });
  });
  output.on('reconnected', (event) => {
    logger.info({ destination: event.id, downMs: event.downMs }, 'destination is live again');
    down = false;
    alerts?.clear(key);
  });
  return output;
}
