// An overlay cue: the fields of its kind (one file each), then `between` (when and where it plays:
// repeat, track), then the look all overlays share.
import type { ReactNode } from 'react';
import type { OverlayCue } from '../model.ts';
import { DynamicTextFields } from './DynamicTextFields.tsx';
import { ImageOverlayFields } from './ImageOverlayFields.tsx';
import { LowerThirdFields } from './LowerThirdFields.tsx';
import { OverlayLookFields } from './OverlayLookFields.tsx';
import { TextOverlayFields } from './TextOverlayFields.tsx';
import type { CueFieldsProps } from './types.ts';

function KindFields({ cue, catalog, at, params }: CueFieldsProps<OverlayCue>) {
  const p = cue.params;
  const common = { uid: cue.uid, catalog, at, params };
  switch (p.type) {
    case 'text':
      return <TextOverlayFields {...common} p={p} />;
    case 'lower_third':
      return <LowerThirdFields {...common} p={p} />;
    case 'dynamic_text':
      return <DynamicTextFields {...common} p={p} />;
    case 'logo':
    case 'image':
      return <ImageOverlayFields {...common} p={p} />;
  }
}

export function OverlayFields(props: CueFieldsProps<OverlayCue> & { between?: ReactNode }) {
  return (
    <>
      <KindFields {...props} />
      {props.between}
      <OverlayLookFields p={props.cue.params} at={props.at} params={props.params} />
    </>
  );
}
