// What the YouTube connection routes answer (src/api/routes/youtube.ts), shared with the web UI:
// connecting attempts and the connected channels. Never a token nor the device code.

export type ConnectState = 'pending' | 'connected' | 'denied' | 'expired' | 'failed' | 'cancelled';

/** One connecting attempt (OAuth's device flow, polled by the appliance). */
export interface ConnectAttemptView {
  id: string;
  state: ConnectState;
  /** The code the channel owner enters at verificationUrl. */
  userCode: string;
  verificationUrl: string;
  /** Wall-clock ISO time the code runs out. */
  expiresAt: string;
  /** Seconds left before the code runs out (0 once it has). */
  expiresInSeconds: number;
  /** Seconds between polls of Google now (grows after slow_down). */
  intervalSeconds: number;
  /** Once connected: the stored connection and its channel's name. */
  connection: { id: number; label: string } | null;
  /** The connection was one connected earlier, given new tokens in place (same id). */
  reconnected: boolean;
  /** Why it ended, in words, when it did not connect. */
  message: string | null;
  remediation: string | null;
}

/** What may be shown of a stored connection: no token. */
export interface YouTubeConnectionSummary {
  id: number;
  label: string;
  scope: string;
  connectedAt: number;
  /** Set: the channel must be connected again. */
  revokedAt: number | null;
  revokedReason: string | null;
}

export interface YouTubeConnectionView extends YouTubeConnectionSummary {
  /** Destinations whose broadcasts run on this channel. */
  destinationIds: number[];
}
