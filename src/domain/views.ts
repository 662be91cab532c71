// What the API answers for stored records: plain types shared by the store that builds them and
// the web UI that shows them (no runtime code, so the browser bundle takes nothing from the server).

/** A timeline in the list (GET /api/timelines). */
export interface TimelineSummary {
  id: number;
  doc_id: string | null;
  name: string;
  description: string | null;
  duration: number;
  fps: number;
  resolution: string;
  loop: boolean;
  overlay_tracks: number;
  cues: number;
  created_at: string;
  modified_at: string;
}

/** A camera as the API shows it: passwords only as "set or not". */
export interface Camera {
  id: number;
  name: string;
  stream_url: string;
  username: string | null;
  has_password: boolean;
  camera_type: 'stationary' | 'ptz';
  onvif_url: string | null;
  onvif_username: string | null;
  has_onvif_password: boolean;
  backup_camera_id: number | null;
  enabled: boolean;
  /** Seconds before a preset cue the camera is moved (null: the default). */
  ptz_settle_seconds: number | null;
  created_at: string;
  modified_at: string;
}
