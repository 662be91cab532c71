// The live feed (one WebSocket for the whole UI), shared by the shell's badge and the pages.
import { createContext, useContext } from 'react';
import type { LiveFeed } from '../api/live.ts';

export const LiveContext = createContext<LiveFeed>({ state: null, connected: false });

export function useLive(): LiveFeed {
  return useContext(LiveContext);
}
