// Where a destination's reusable YouTube liveStream id is kept (migration 015): created once,
// bound to broadcast after broadcast. Only the id: the stream key is read from YouTube each time.
import type { Db } from '../../store/database.ts';

/** What the lifecycle needs of the store: the saved stream id of a destination on a channel. */
export interface SavedStreams {
  /** The stream made for this destination on this channel, or null. */
  streamId(destinationId: number, connectionId: number): string | null;
  save(destinationId: number, connectionId: number, streamId: string, at: number): void;
}

export class YouTubeStreamRepository implements SavedStreams {
  constructor(private readonly db: Db) {}

  streamId(destinationId: number, connectionId: number): string | null {
    const row = this.db
      .prepare('SELECT stream_id FROM youtube_streams WHERE destination_id = ? AND connection_id = ?')
      .get(destinationId, connectionId) as { stream_id: string } | undefined;
    return row?.stream_id ?? null;
  }

  save(destinationId: number, connectionId: number, streamId: string, at: number): void {
    this.db
      .prepare(
        `INSERT INTO youtube_streams (destination_id, connection_id, stream_id, created_at_ms)
         VALUES (?, ?, ?, ?)
         ON CONFLICT (destination_id) DO UPDATE
           SET connection_id = excluded.connection_id, stream_id = excluded.stream_id,
               created_at_ms = excluded.created_at_ms`,
      )
      .run(destinationId, connectionId, streamId, at);
  }
}
