// The program at the playhead, rendered by the appliance (POST /api/timelines/preview-frame) from
// the timeline as it is being edited: asked for a moment after the last change (debounced), the
// previous picture stays while the next one renders, and what could not be shown is said.
import { useEffect, useRef, useState } from 'react';
import { ApiError, csrfHeader } from '../../../api/client.ts';
import { ErrorNotice, Spinner } from '../../../components/ui.tsx';
import { formatTime } from './model.ts';

const DEBOUNCE_MS = 350;
const WIDTH = 640;

interface Shown {
  /** The timeline and moment it shows (documentJson@seconds). */
  key: string;
  url: string;
  seconds: number;
  video: string;
  notices: string[];
}

async function errorOf(response: Response): Promise<ApiError> {
  try {
    const body = (await response.json()) as {
      code?: string;
      message?: string;
      remediation?: string;
      issues?: Array<{ path: string; message: string }>;
    };
    return new ApiError(
      response.status,
      body.code ?? `HTTP_${response.status}`,
      body.message ?? `The appliance answered ${response.status}.`,
      body.remediation ?? 'Try again in a moment.',
      body.issues ?? [],
    );
  } catch {
    return new ApiError(
      response.status,
      `HTTP_${response.status}`,
      `The appliance answered ${response.status}.`,
      'Try again in a moment.',
      [],
    );
  }
}

function parseNotices(text: string): string[] {
  try {
    const value: unknown = JSON.parse(text || '[]');
    return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  } catch {
    return [];
  }
}

export function Preview({ documentJson, seconds }: { documentJson: string; seconds: number }) {
  const [shown, setShown] = useState<Shown | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ key: string; error: unknown } | null>(null);
  const key = `${documentJson}@${seconds}`;
  const last = useRef<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      setBusy(true);
      fetch('/api/timelines/preview-frame', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', ...csrfHeader() },
        body: `{"document":${documentJson},"at":${seconds},"width":${WIDTH}}`,
        signal: controller.signal,
      })
        .then(async (response) => {
          if (!response.ok) throw await errorOf(response);
          const blob = await response.blob();
          const url = URL.createObjectURL(blob);
          if (last.current) URL.revokeObjectURL(last.current);
          last.current = url;
          const header = (name: string) => decodeURIComponent(response.headers.get(name) ?? '');
          const notices = parseNotices(header('x-preview-notices'));
          setShown({
            key: `${documentJson}@${seconds}`,
            url,
            seconds: Number(response.headers.get('x-preview-seconds') ?? seconds),
            video: header('x-preview-video'),
            notices,
          });
          setError(null);
          setBusy(false);
        })
        .catch((failure: unknown) => {
          if (controller.signal.aborted) return;
          setError({
            key: `${documentJson}@${seconds}`,
            error:
              failure instanceof ApiError
                ? failure
                : new ApiError(
                    0,
                    'APPLIANCE_UNREACHABLE',
                    'The appliance did not answer.',
                    'Check that it is on the network, then try again.',
                    [],
                  ),
          });
          setBusy(false);
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [documentJson, seconds]);

  useEffect(
    () => () => {
      if (last.current) URL.revokeObjectURL(last.current);
    },
    [],
  );

  // Current: the picture (or the refusal) is for the timeline and moment on screen now. Until
  // then the old picture stays, dimmed, under a spinner (also while the request waits its turn).
  const failure = error?.key === key ? error.error : null;
  const pending = shown?.key !== key && failure === null;
  const invalid = failure instanceof ApiError && failure.code === 'TIMELINE_INVALID';
  return (
    <section className="preview" aria-label="Program preview">
      <div className="preview-frame" aria-busy={pending || busy}>
        {shown ? (
          <img
            src={shown.url}
            alt={`The program at ${formatTime(shown.seconds)}: ${shown.video}`}
            className={pending || invalid ? 'preview-stale' : undefined}
            data-testid="preview-image"
          />
        ) : null}
        {pending ? (
          <div className="preview-busy">
            <Spinner label="Rendering the preview…" />
          </div>
        ) : null}
      </div>
      <div className="preview-caption">
        <span>Preview at {formatTime(seconds)}</span>
        {shown ? <span className="hint">{shown.video}</span> : null}
      </div>
      {invalid ? (
        <p className="preview-message" role="status">
          The preview waits until the problems marked in red are fixed.
        </p>
      ) : failure ? (
        <ErrorNotice error={failure} />
      ) : null}
      {shown && !pending && !failure
        ? shown.notices.map((notice) => (
            <div key={notice} className="notice notice-warning preview-notice" role="status">
              {notice}
            </div>
          ))
        : null}
    </section>
  );
}
