// The on-air state pushed by the appliance over /api/live (at least once a second), checked
// against the same schema the server uses. Reconnects by itself; `connected` says whether the
// figures on screen are current.
import { useEffect, useState } from 'react';
import { LiveMessageSchema, type LiveState } from '../../../src/domain/live.ts';

export interface LiveFeed {
  state: LiveState | null;
  connected: boolean;
}

const RECONNECT_MS = 1000;

export function useLiveState(): LiveFeed {
  const [feed, setFeed] = useState<LiveFeed>({ state: null, connected: false });
  useEffect(() => {
    let socket: WebSocket | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let closed = false;
    const connect = (): void => {
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      socket = new WebSocket(`${scheme}://${location.host}/api/live`);
      socket.onmessage = (event) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(String(event.data));
        } catch {
          return;
        }
        const message = LiveMessageSchema.safeParse(parsed);
        if (message.success) setFeed({ state: message.data.data, connected: true });
      };
      socket.onclose = () => {
        setFeed((previous) => ({ ...previous, connected: false }));
        if (!closed) retry = setTimeout(connect, RECONNECT_MS);
      };
    };
    connect();
    return () => {
      closed = true;
      if (retry) clearTimeout(retry);
      socket?.close();
    };
  }, []);
  return feed;
}
