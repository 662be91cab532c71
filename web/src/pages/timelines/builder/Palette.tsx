// The palette: cameras (and their PTZ presets), media and overlay types. Drag an item onto a
// lane, or focus it and press Enter to add it at the playhead on the lane it belongs to.
import { useState, type DragEvent } from 'react';
import { ErrorNotice, Link, Spinner } from '../../../components/ui.tsx';
import { PALETTE_MIME, type Catalog, type PaletteItem } from './catalog.ts';
import { OVERLAY_KINDS, OVERLAY_LABELS } from './model.ts';

/** The item being dragged (dragover cannot read dataTransfer's data, only its types). */
export const dragging: { item: PaletteItem | null } = { item: null };

const OVERLAY_HINTS: Record<string, string> = {
  lower_third: 'Name bar, bottom left',
  text: 'A line of text',
  logo: 'Your logo in a corner',
  image: 'A picture over the video',
  dynamic_text: 'Clock, date, live data',
};

function Item({
  item,
  hint,
  thumb,
  onAdd,
}: {
  item: PaletteItem;
  hint?: string;
  thumb?: string;
  onAdd: (item: PaletteItem) => void;
}) {
  const onDragStart = (event: DragEvent<HTMLButtonElement>) => {
    dragging.item = item;
    event.dataTransfer.setData(PALETTE_MIME, JSON.stringify(item));
    event.dataTransfer.setData('text/plain', item.label);
    event.dataTransfer.effectAllowed = 'copy';
  };
  return (
    <li>
      <button
        type="button"
        className={`palette-item palette-${item.kind === 'overlay' ? item.overlay : item.kind}`}
        draggable
        onDragStart={onDragStart}
        onDragEnd={() => (dragging.item = null)}
        onClick={() => onAdd(item)}
        // The name holds the visible words (label in name, WCAG 2.5.3), after the verb.
        aria-label={`Add ${item.label}${hint ? ` ${hint}` : ''}`}
        title="Drag onto a lane, or press Enter to add it at the playhead"
      >
        {thumb ? (
          <img src={thumb} alt="" className="palette-thumb" loading="lazy" />
        ) : (
          <span className="palette-swatch" aria-hidden="true" />
        )}
        <span className="palette-words">
          <span className="palette-label">{item.label}</span> {hint ? <small>{hint}</small> : null}
        </span>
      </button>
    </li>
  );
}

export function Palette({ catalog, onAdd }: { catalog: Catalog; onAdd: (item: PaletteItem) => void }) {
  const [filter, setFilter] = useState('');
  const match = (text: string) => text.toLowerCase().includes(filter.trim().toLowerCase());
  const media = catalog.assets.filter((asset) => asset.asset_type !== 'audio' && match(asset.filename));
  const sound = catalog.assets.filter((asset) => asset.asset_type === 'audio' && match(asset.filename));
  return (
    <aside className="palette" aria-label="Palette">
      <h2>Add to the timeline</h2>
      <p className="hint palette-help">Drag onto a lane, or select and press Enter to add at the playhead.</p>
      <input
        type="search"
        className="palette-search"
        placeholder="Filter"
        aria-label="Filter the palette"
        value={filter}
        onChange={(event) => setFilter(event.target.value)}
      />
      {catalog.error ? <ErrorNotice error={catalog.error} /> : null}
      <section aria-labelledby="palette-cameras">
        <h3 id="palette-cameras">Cameras</h3>
        {catalog.loading ? <Spinner label="Loading…" /> : null}
        {!catalog.loading && catalog.cameras.length === 0 ? (
          <p className="hint">
            No cameras yet. <Link to="/cameras">Add a camera</Link>.
          </p>
        ) : null}
        <ul>
          {catalog.cameras
            .filter((camera) => match(camera.name))
            .flatMap((camera) => [
              <Item
                key={camera.id}
                item={{ kind: 'camera', cameraId: camera.id, label: camera.name }}
                hint={camera.enabled ? `Camera ${camera.id}` : `Camera ${camera.id} · switched off`}
                onAdd={onAdd}
              />,
              ...(catalog.presets.get(camera.id) ?? []).map((preset) => (
                <Item
                  key={`${camera.id}-${preset.id}`}
                  item={{
                    kind: 'camera',
                    cameraId: camera.id,
                    presetName: preset.name,
                    label: `${camera.name} · ${preset.name}`,
                  }}
                  hint="PTZ preset"
                  onAdd={onAdd}
                />
              )),
            ])}
        </ul>
      </section>
      <section aria-labelledby="palette-media">
        <h3 id="palette-media">Media</h3>
        {!catalog.loading && media.length === 0 ? (
          <p className="hint">
            No media yet. <Link to="/assets">Upload images or videos</Link>.
          </p>
        ) : null}
        <ul>
          {media.map((asset) => (
            <Item
              key={asset.id}
              item={{
                kind: 'media',
                assetId: asset.id,
                mediaType: asset.asset_type === 'image' ? 'image' : 'video',
                label: asset.filename,
              }}
              hint={asset.asset_type === 'image' ? 'Image' : 'Video'}
              thumb={`/api/assets/${asset.id}/thumbnail.jpg`}
              onAdd={onAdd}
            />
          ))}
        </ul>
      </section>
      <section aria-labelledby="palette-sound">
        <h3 id="palette-sound">Sound</h3>
        {!catalog.loading && sound.length === 0 ? (
          <p className="hint">
            No audio yet. <Link to="/assets">Upload music</Link> for a music bed.
          </p>
        ) : (
          <p className="hint">
            Music goes on the Audio lane, under the cameras. Only music you may broadcast.
          </p>
        )}
        <ul>
          {sound.map((asset) => (
            <Item
              key={asset.id}
              item={{ kind: 'audio', assetId: asset.id, label: asset.filename }}
              hint="Music bed"
              onAdd={onAdd}
            />
          ))}
        </ul>
      </section>
      <section aria-labelledby="palette-overlays">
        <h3 id="palette-overlays">Overlays</h3>
        <ul>
          {OVERLAY_KINDS.filter((kind) => match(OVERLAY_LABELS[kind])).map((kind) => (
            <Item
              key={kind}
              item={{ kind: 'overlay', overlay: kind, label: OVERLAY_LABELS[kind] }}
              hint={OVERLAY_HINTS[kind]!}
              onAdd={onAdd}
            />
          ))}
        </ul>
      </section>
    </aside>
  );
}
