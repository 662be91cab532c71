// Limits on the public player's HLS (/embed/hls/), which costs the venue's uplink about the
// program's bitrate per viewer:
// - per client, like /live.jpg: the playlist and the segments counted apart, each with room a real
//   player never uses. The preview cuts 2 s segments (src/engine/engine.ts) with 4 in the playlist,
//   so a player takes 30 segments a minute (plus up to 4 at its start) and reloads the playlist
//   every 1–2 s (up to 60 a minute). The limits allow five times that: a few players behind one
//   address, a seek back, a reload of the page; a loop or a scraper is held to a few times real time.
// - viewers at a time: a client address that fetched anything in the last VIEWER_IDLE_MS holds a
//   place; a new one finds the player full (503) while max_viewers places are held.
import type { Clock } from '../core/clock.ts';

export const HLS_PLAYLISTS_PER_MINUTE = 300;
export const HLS_SEGMENTS_PER_MINUTE = 150;
/** A player reloads the playlist every 1–2 s while it plays: this long without a request, it left. */
export const VIEWER_IDLE_MS = 15_000;

export class ViewerPlaces {
  /** Client → clock ms of its last request; never more entries than the largest max_viewers. */
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** True when `client` holds a place (kept or newly given); false when all `max` are held. */
  admit(client: string, max: number): boolean {
    const now = this.clock.now();
    const seen = this.lastSeen.get(client);
    if (seen !== undefined && now - seen < VIEWER_IDLE_MS) {
      this.lastSeen.set(client, now);
      return true;
    }
    for (const [other, at] of this.lastSeen) if (now - at >= VIEWER_IDLE_MS) this.lastSeen.delete(other);
    if (this.lastSeen.size >= max) return false;
    this.lastSeen.set(client, now);
    return true;
  }

  /** Viewers holding a place now (tests, the Settings card). */
  count(): number {
    const now = this.clock.now();
    let held = 0;
    for (const at of this.lastSeen.values()) if (now - at < VIEWER_IDLE_MS) held++;
    return held;
  }
}
