// What the YouTube connection routes answer (src/api/routes/youtube.ts): connecting attempts and
// the connected channels. No token ever reaches the browser.
export type {
  ConnectAttemptView as ConnectAttempt,
  YouTubeConnectionView as YouTubeConnection,
} from '../../../../src/domain/youtube.ts';

/** "4:05" for a countdown. */
export function formatCountdown(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}
