// What the YouTube connection routes answer (src/api/routes/youtube.ts): connecting attempts and
// the connected channels. No token ever reaches the browser.
export type ConnectState = 'pending' | 'connected' | 'denied' | 'expired' | 'failed' | 'cancelled';

export interface ConnectAttempt {
  id: string;
  state: ConnectState;
  /** The code the channel owner enters at verificationUrl. */
  userCode: string;
  verificationUrl: string;
  /** ISO time the code runs out. */
  expiresAt: string;
  expiresInSeconds: number;
  intervalSeconds: number;
  connection: { id: number; label: string } | null;
  message: string | null;
  remediation: string | null;
}

export interface YouTubeConnection {
  id: number;
  label: string;
  scope: string;
  connectedAt: number;
  /** Set: the channel must be connected again. */
  revokedAt: number | null;
  revokedReason: string | null;
  destinationIds: number[];
}

/** "4:05" for a countdown. */
export function formatCountdown(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}
