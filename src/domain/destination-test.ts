// What POST /api/destinations/:id/test answers: one shape for the server and the web UI. The server
// narrows the error's code and kind to its registry's and classifier's names.

export interface DestinationTestOutcome<Code extends string = string, Kind extends string = string> {
  ok: boolean;
  destinationId: number;
  /** The server's host name (never the key). */
  host: string;
  /** Seconds of picture the server took (frames / fps, rounded). */
  seconds: number;
  frames: number;
  bytesSent: number;
  /** The whole answer in one sentence. */
  message: string;
  error: { code: Code; kind: Kind; message: string; remediation: string } | null;
}
