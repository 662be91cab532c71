// Media: the pictures, videos and sounds a timeline can show. Upload (button or drag-and-drop,
// several files, each with a progress bar), a grid of thumbnails with what each file is, search
// and a type filter, download, delete (refused while a timeline uses the file).
import { useCallback, useMemo, useRef, useState, type DragEvent } from 'react';
import { api, ApiError, getCsrfToken, type ApiIssue } from '../../api/client.ts';
import { ConfirmDialog, useConfirmation } from '../../components/ConfirmDialog.tsx';
import { useCan } from '../../app/session.ts';
import { EmptyState, ListStates } from '../../components/ListPage.tsx';
import {
  Button,
  ErrorNotice,
  Field,
  PageHeader,
  SelectField,
  Spinner,
  forgetItem,
  formatDuration,
  useLoad,
} from '../../components/ui.tsx';
import './assets.css';

type AssetType = 'image' | 'video' | 'audio';

/** GET /api/assets (src/store/repositories/records.ts Asset; metadata from src/assets/ingest.ts). */
interface Asset {
  id: number;
  asset_type: AssetType;
  filename: string;
  file_size: number | null;
  mime_type: string | null;
  uploaded_at: string;
  metadata: {
    width?: number | null;
    height?: number | null;
    duration?: number | null;
    fps?: number | null;
    thumbnail?: boolean;
  } | null;
}

interface Upload {
  key: number;
  name: string;
  size: number;
  /** Bytes sent so far. */
  sent: number;
  state: 'waiting' | 'sending' | 'processing' | 'done' | 'failed';
  error: unknown;
  /** "Already in the library" when the same content was there (200 instead of 201). */
  note: string | null;
}

const TYPE_LABEL: Record<AssetType, string> = { image: 'Image', video: 'Video', audio: 'Audio' };

function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** The appliance's error shape from an XMLHttpRequest's answer. */
function errorFromXhr(xhr: XMLHttpRequest): ApiError {
  let body: { code?: unknown; message?: unknown; remediation?: unknown; issues?: unknown } = {};
  try {
    body = JSON.parse(xhr.responseText) as typeof body;
  } catch {
    // Not our JSON: a generic message below.
  }
  const issues = Array.isArray(body.issues)
    ? (body.issues as unknown[]).filter(
        (issue): issue is ApiIssue => typeof issue === 'object' && issue !== null && 'path' in issue,
      )
    : [];
  return new ApiError(
    xhr.status,
    typeof body.code === 'string' ? body.code : `HTTP_${xhr.status}`,
    typeof body.message === 'string' ? body.message : `the appliance answered ${xhr.status}`,
    typeof body.remediation === 'string'
      ? body.remediation
      : 'Try again; if it keeps failing, restart the appliance.',
    issues,
  );
}

/**
 * Uploads one file as multipart field "file". XMLHttpRequest, not fetch: only it reports how much
 * of the body has been sent.
 */
function sendFile(
  file: File,
  onProgress: (sent: number) => void,
  onSent: () => void,
): Promise<{ asset: Asset; created: boolean }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/assets');
    xhr.withCredentials = true;
    const token = getCsrfToken();
    if (token) xhr.setRequestHeader('x-csrf-token', token);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.upload.onload = () => onSent();
    xhr.onload = () => {
      if (xhr.status === 200 || xhr.status === 201) {
        resolve({ asset: JSON.parse(xhr.responseText) as Asset, created: xhr.status === 201 });
      } else reject(errorFromXhr(xhr));
    };
    xhr.onerror = () =>
      reject(
        new ApiError(
          0,
          'UPLOAD_INCOMPLETE',
          'the upload was cut off before the appliance answered; nothing was stored',
          'Check the network connection to the appliance and upload the file again.',
          [],
        ),
      );
    const form = new FormData();
    form.append('file', file);
    xhr.send(form);
  });
}

function describeAsset(asset: Asset): string {
  const meta = asset.metadata ?? {};
  const parts: string[] = [];
  if (meta.width && meta.height) parts.push(`${meta.width}×${meta.height}`);
  if (typeof meta.duration === 'number') parts.push(formatDuration(Math.round(meta.duration)));
  parts.push(formatBytes(asset.file_size));
  return parts.join(' · ');
}

function UploadRow({ upload }: { upload: Upload }) {
  const percent = upload.size > 0 ? Math.round((upload.sent / upload.size) * 100) : 100;
  const status =
    upload.state === 'waiting'
      ? 'Waiting…'
      : upload.state === 'sending'
        ? `${percent} %`
        : upload.state === 'processing'
          ? 'Checking the file…'
          : upload.state === 'done'
            ? (upload.note ?? 'Uploaded')
            : 'Not uploaded';
  return (
    <li className={`upload upload-${upload.state}`}>
      <div className="upload-line">
        <span className="upload-name">{upload.name}</span>
        <span className="hint">{formatBytes(upload.size)}</span>
        {upload.state === 'failed' ? (
          <span />
        ) : (
          <progress
            max={100}
            value={upload.state === 'waiting' ? 0 : percent}
            aria-label={`Uploading ${upload.name}`}
          />
        )}
        <span className="upload-status">
          {upload.state === 'processing' ? <Spinner /> : null} {status}
        </span>
      </div>
      {upload.error ? <ErrorNotice error={upload.error} /> : null}
    </li>
  );
}

export function Assets() {
  const list = useLoad((signal) => api.get<Asset[]>('/api/assets', signal));
  const [query, setQuery] = useState('');
  const [type, setType] = useState<'' | AssetType>('');
  const [uploads, setUploads] = useState<Upload[]>([]);
  /** Uploading and deleting media is show work (operator); a viewer looks and downloads. */
  const canEdit = useCan('operator');
  const [dragging, setDragging] = useState(false);
  const removal = useConfirmation<Asset>();
  const fileInput = useRef<HTMLInputElement>(null);
  const nextKey = useRef(1);
  /** Files go one after another: a small appliance should not ingest several videos at once. */
  const queue = useRef<Promise<void>>(Promise.resolve());
  const { reload } = list;

  const update = useCallback((key: number, change: Partial<Upload>) => {
    setUploads((previous) => previous.map((u) => (u.key === key ? { ...u, ...change } : u)));
  }, []);

  const upload = useCallback(
    (files: File[]) => {
      if (files.length === 0) return;
      const added = files.map((file) => ({ file, key: nextKey.current++ }));
      setUploads((previous) => [
        ...previous.filter((u) => u.state !== 'done'),
        ...added.map(({ file, key }) => ({
          key,
          name: file.name,
          size: file.size,
          sent: 0,
          state: 'waiting' as const,
          error: null,
          note: null,
        })),
      ]);
      for (const { file, key } of added) {
        queue.current = queue.current.then(async () => {
          update(key, { state: 'sending' });
          try {
            const { created } = await sendFile(
              file,
              (sent) => update(key, { sent }),
              () => update(key, { sent: file.size, state: 'processing' }),
            );
            update(key, {
              state: 'done',
              sent: file.size,
              note: created ? 'Uploaded' : 'Already in the library',
            });
            reload();
          } catch (error) {
            update(key, { state: 'failed', error });
          }
        });
      }
    },
    [reload, update],
  );

  const onDrop = (event: DragEvent<HTMLElement>): void => {
    event.preventDefault();
    setDragging(false);
    upload(Array.from(event.dataTransfer.files));
  };
  const onDragOver = (event: DragEvent<HTMLElement>): void => {
    if (!event.dataTransfer.types.includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
    setDragging(true);
  };
  const onDragLeave = (event: DragEvent<HTMLElement>): void => {
    // Leaving into a child is not leaving the page.
    if (event.currentTarget.contains(event.relatedTarget as Node | null)) return;
    setDragging(false);
  };

  const shown = useMemo(() => {
    const words = query.trim().toLowerCase().split(/\s+/).filter(Boolean);
    return (list.data ?? []).filter(
      (asset) =>
        (type === '' || asset.asset_type === type) &&
        words.every((word) => asset.filename.toLowerCase().includes(word)),
    );
  }, [list.data, query, type]);

  const remove = async (asset: Asset): Promise<void> => {
    await api.delete(`/api/assets/${asset.id}`);
    forgetItem(list, asset.id);
  };

  const busyUploading = uploads.some(
    (u) => u.state === 'waiting' || u.state === 'sending' || u.state === 'processing',
  );
  return (
    <section
      className={`media${dragging ? ' media-dragging' : ''}`}
      {...(canEdit ? { onDragOver, onDragLeave, onDrop } : {})}
    >
      <PageHeader title="Media">
        {canEdit ? (
          <Button variant="primary" busy={busyUploading} onClick={() => fileInput.current?.click()}>
            Upload files…
          </Button>
        ) : null}
      </PageHeader>
      <input
        ref={fileInput}
        type="file"
        multiple
        accept="image/*,video/*,audio/*"
        className="visually-hidden"
        aria-label="Files to upload"
        tabIndex={-1}
        onChange={(event) => {
          upload(Array.from(event.target.files ?? []));
          event.target.value = '';
        }}
      />

      {canEdit ? (
        <div className="drop-zone" aria-hidden={!dragging}>
          {dragging
            ? 'Drop the files to upload them'
            : 'Drag pictures, videos or sound files anywhere on this page to upload them.'}
        </div>
      ) : null}

      {uploads.length > 0 ? (
        <section className="card uploads" aria-label="Uploads">
          <div className="uploads-header">
            <h2>Uploads</h2>
            {!busyUploading ? (
              <Button variant="plain" onClick={() => setUploads([])}>
                Clear
              </Button>
            ) : null}
          </div>
          <ul>
            {uploads.map((u) => (
              <UploadRow key={u.key} upload={u} />
            ))}
          </ul>
        </section>
      ) : null}

      <ErrorNotice error={list.error} />
      <ListStates
        rows={list.data}
        loading={list.loading}
        loadingLabel="Loading the media library…"
        empty={
          <EmptyState title="No media yet">
            {canEdit ? (
              <>
                Upload the pictures (a logo, a slate, a sponsor’s ad), videos (a promo clip) and sound files
                your shows use, then place them on a timeline. Choose <strong>Upload files…</strong> or drag
                files onto this page. PNG, JPEG, MP4, MOV, WebM, MP3, WAV and similar files work.
              </>
            ) : (
              'An operator uploads the pictures, videos and sound files the shows use.'
            )}
          </EmptyState>
        }
      >
        {(assets) => (
          <>
            <div className="media-toolbar">
              <Field
                label="Search media"
                type="search"
                value={query}
                placeholder="File name"
                onChange={(event) => setQuery(event.target.value)}
              />
              <SelectField
                label="Type"
                value={type}
                onChange={(event) => setType(event.target.value as '' | AssetType)}
              >
                <option value="">All types</option>
                <option value="image">Images</option>
                <option value="video">Videos</option>
                <option value="audio">Audio</option>
              </SelectField>
              <span className="hint" aria-live="polite">
                {shown.length === assets.length
                  ? `${assets.length} file${assets.length === 1 ? '' : 's'}`
                  : `${shown.length} of ${assets.length} shown`}
              </span>
            </div>
            {shown.length === 0 ? (
              <p className="hint">Nothing matches this search.</p>
            ) : (
              <ul className="media-grid" aria-label="Media files">
                {shown.map((asset) => (
                  <li key={asset.id} className="media-card" aria-label={asset.filename}>
                    <div className="media-thumb">
                      {asset.asset_type !== 'audio' && asset.metadata?.thumbnail !== false ? (
                        <img
                          src={`/api/assets/${asset.id}/thumbnail.jpg`}
                          alt={`Preview of ${asset.filename}`}
                          loading="lazy"
                        />
                      ) : (
                        <span className="media-icon" aria-hidden="true">
                          {asset.asset_type === 'audio' ? '♪' : '▣'}
                        </span>
                      )}
                      <span className={`badge media-type media-type-${asset.asset_type}`}>
                        {TYPE_LABEL[asset.asset_type]}
                      </span>
                    </div>
                    <div className="media-info">
                      <strong className="media-name" title={asset.filename}>
                        {asset.filename}
                      </strong>
                      <span className="hint">{describeAsset(asset)}</span>
                    </div>
                    <div className="media-actions">
                      <a
                        className="btn btn-plain"
                        href={`/api/assets/${asset.id}/file`}
                        download={asset.filename}
                        aria-label={`Download ${asset.filename}`}
                      >
                        Download
                      </a>
                      {canEdit ? (
                        <Button
                          variant="plain"
                          className="danger-text"
                          aria-label={`Delete ${asset.filename}`}
                          onClick={() => removal.ask(asset)}
                        >
                          Delete
                        </Button>
                      ) : null}
                    </div>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </ListStates>

      <ConfirmDialog
        title={removal.target ? `Delete “${removal.target.filename}”?` : 'Delete file?'}
        open={removal.target !== null}
        confirmLabel="Delete file"
        busy={removal.busy}
        error={removal.error}
        onConfirm={() => void removal.confirm(remove)}
        onClose={removal.close}
        details={
          removal.error instanceof ApiError && removal.error.issues.length > 0 ? (
            <ul className="issue-list" aria-label="Where it is used">
              {removal.error.issues.map((issue) => (
                <li key={issue.path}>{issue.message}</li>
              ))}
            </ul>
          ) : null
        }
      >
        <p>The file is removed from this appliance for good. Files a timeline still uses are kept.</p>
      </ConfirmDialog>
    </section>
  );
}
