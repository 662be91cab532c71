// One current picture from a saved camera, fetched when the camera is opened and on "Refresh".
import { useEffect, useRef, useState } from 'react';
import { Button, ErrorNotice, Spinner } from '../../components/ui.tsx';
import { fetchSnapshot } from './camera-api.ts';

export function Snapshot({ cameraId, cameraName }: { cameraId: number; cameraName: string }) {
  const [generation, setGeneration] = useState(0);
  const [image, setImage] = useState<{ url: string; at: Date } | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const shown = useRef<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    fetchSnapshot(cameraId, controller.signal)
      .then((objectUrl) => {
        if (controller.signal.aborted) {
          URL.revokeObjectURL(objectUrl);
          return;
        }
        // The new picture replaces the old one: its blob is no longer needed.
        if (shown.current) URL.revokeObjectURL(shown.current);
        shown.current = objectUrl;
        setImage({ url: objectUrl, at: new Date() });
      })
      .catch((failure: unknown) => {
        if (controller.signal.aborted) return;
        setImage(null);
        setError(failure);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [cameraId, generation]);
  useEffect(
    () => () => {
      if (shown.current) URL.revokeObjectURL(shown.current);
    },
    [],
  );

  return (
    <section className="card snapshot" aria-labelledby={`snapshot-${cameraId}`}>
      <div className="card-title">
        <h2 id={`snapshot-${cameraId}`}>Picture now</h2>
        <Button onClick={() => setGeneration((n) => n + 1)} busy={loading}>
          Refresh picture
        </Button>
      </div>
      <div className="snapshot-frame" aria-busy={loading}>
        {image ? (
          <img
            src={image.url}
            alt={`Current picture from ${cameraName}`}
            className={loading ? 'snapshot-stale' : undefined}
          />
        ) : null}
        {loading ? (
          <div className="snapshot-loading">
            <Spinner label="Getting a picture from the camera…" />
          </div>
        ) : null}
        {!image && !loading && error ? <div className="snapshot-empty">No picture</div> : null}
      </div>
      <ErrorNotice error={error} />
      {image && !loading ? <small className="hint">Taken at {image.at.toLocaleTimeString()}.</small> : null}
    </section>
  );
}
