// The on-air state pushed by the appliance over /api/live (at least once a second), checked
// against the same schema the server uses. Reconnects by itself; `connected` says whether the
// figures on screen are current.
import { useEffect, useState } from 'react';
import {
  LiveAudioMessageSchema,
  LiveMessageSchema,
  type LiveAudio,
  type LiveClientMessage,
  type LiveState,
} from '../../../src/domain/live.ts';

export interface LiveFeed {
  state: LiveState | null;
  connected: boolean;
}

const RECONNECT_MS = 1000;

// ── Program audio meters: asked for on the same socket only while a meter is on screen ──
type AudioListener = (audio: LiveAudio) => void;
const audioListeners = new Set<AudioListener>();
let liveSocket: WebSocket | null = null;

function tellAudioWish(socket: WebSocket | null): void {
  if (socket?.readyState !== WebSocket.OPEN) return;
  const message: LiveClientMessage = { type: 'audio', on: audioListeners.size > 0 };
  socket.send(JSON.stringify(message));
}

/** Calls `listener` with each audio meter reading (10–15 a second while a show is live). */
export function subscribeProgramAudio(listener: AudioListener): () => void {
  audioListeners.add(listener);
  if (audioListeners.size === 1) tellAudioWish(liveSocket);
  return () => {
    audioListeners.delete(listener);
    if (audioListeners.size === 0) tellAudioWish(liveSocket);
  };
}

export function useLiveState(): LiveFeed {
  const [feed, setFeed] = useState<LiveFeed>({ state: null, connected: false });
  useEffect(() => {
    let socket: WebSocket | null = null;
    let retry: ReturnType<typeof setTimeout> | null = null;
    let closed = false;
    const connect = (): void => {
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      socket = new WebSocket(`${scheme}://${location.host}/api/live`);
      const opened = socket;
      liveSocket = opened;
      opened.onopen = () => {
        if (audioListeners.size > 0) tellAudioWish(opened);
      };
      socket.onmessage = (event) => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(String(event.data));
        } catch {
          return;
        }
        const audio = LiveAudioMessageSchema.safeParse(parsed);
        if (audio.success) {
          for (const listener of audioListeners) listener(audio.data.data);
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
      if (liveSocket === socket) liveSocket = null;
      socket?.close();
    };
  }, []);
  return feed;
}
