// Loads the builder's catalog once when the builder opens: cameras, their stored PTZ presets and
// media assets.
import { useEffect, useState } from 'react';
import { api } from '../../../api/client.ts';
import type { AssetInfo, CameraInfo, Catalog, PresetInfo } from './catalog.ts';

export function useCatalog(): Catalog {
  const [catalog, setCatalog] = useState<Catalog>({
    cameras: [],
    presets: new Map(),
    assets: [],
    loading: true,
    error: null,
  });
  useEffect(() => {
    const controller = new AbortController();
    (async () => {
      try {
        const [cameras, assets] = await Promise.all([
          api.get<CameraInfo[]>('/api/cameras', controller.signal),
          api.get<AssetInfo[]>('/api/assets', controller.signal),
        ]);
        const presets = new Map<number, PresetInfo[]>();
        await Promise.all(
          cameras.map(async (camera) => {
            // A camera without PTZ simply has none; a failure here must not hide the camera.
            const list = await api
              .get<PresetInfo[]>(`/api/cameras/${camera.id}/presets`, controller.signal)
              .catch(() => []);
            presets.set(camera.id, list);
          }),
        );
        setCatalog({ cameras, presets, assets, loading: false, error: null });
      } catch (error) {
        if (!controller.signal.aborted) setCatalog((c) => ({ ...c, loading: false, error }));
      }
    })();
    return () => controller.abort();
  }, []);
  return catalog;
}
