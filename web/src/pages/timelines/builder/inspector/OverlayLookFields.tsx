// What every overlay kind shares after its own fields: where it sits, the text style of the
// textual kinds, opacity and scale, and its fades.
import { SelectField } from '../../../../components/ui.tsx';
import { NAMED_POSITIONS, POSITION_LABELS, type OverlayParams } from '../model.ts';
import { ColorField, NumberField } from './fields.tsx';
import type { IssueAt, OverlayParamsOf, SetParams } from './types.ts';

type TextualParams = OverlayParamsOf<'text' | 'lower_third' | 'dynamic_text'>;

function isTextual(p: OverlayParams): p is TextualParams {
  return p.type === 'text' || p.type === 'lower_third' || p.type === 'dynamic_text';
}

function PositionFields({ p, at, params }: { p: OverlayParams; at: IssueAt; params: SetParams }) {
  const position = p.position;
  const custom = typeof position === 'object';
  return (
    <div className="insp-row">
      <SelectField
        label="Position"
        value={custom ? 'custom' : (position ?? '')}
        error={at('params.position')}
        onChange={(event) => {
          const v = event.target.value;
          params({ position: v === '' ? undefined : v === 'custom' ? { x: 100, y: 100 } : v });
        }}
      >
        <option value="">Default for this overlay</option>
        {NAMED_POSITIONS.map((name) => (
          <option key={name} value={name}>
            {POSITION_LABELS[name]}
          </option>
        ))}
        <option value="custom">Exact place (pixels)</option>
      </SelectField>
      {custom ? (
        <>
          <NumberField
            label="X"
            value={position.x}
            step="1"
            min={0}
            onChange={(x) => params({ position: { ...position, x: x ?? 0 } }, 'pos-x')}
          />
          <NumberField
            label="Y"
            value={position.y}
            step="1"
            min={0}
            onChange={(y) => params({ position: { ...position, y: y ?? 0 } }, 'pos-y')}
          />
        </>
      ) : null}
    </div>
  );
}

function TextStyleFields({ p, at, params }: { p: TextualParams; at: IssueAt; params: SetParams }) {
  return (
    <>
      <NumberField
        label="Font size (px)"
        value={p.font_size}
        step="1"
        min={6}
        max={400}
        placeholder="Automatic"
        error={at('params.font_size')}
        onChange={(value) => params({ font_size: value }, 'font')}
      />
      <ColorField
        label="Text colour"
        value={p.color}
        error={at('params.color')}
        onChange={(color) => params({ color }, 'color')}
      />
      <ColorField
        label="Background"
        value={p.background}
        error={at('params.background')}
        allowNone={p.type === 'lower_third' ? 'the standard bar' : 'none'}
        onChange={(background) => params({ background }, 'background')}
      />
    </>
  );
}

export function OverlayLookFields({ p, at, params }: { p: OverlayParams; at: IssueAt; params: SetParams }) {
  return (
    <>
      <PositionFields p={p} at={at} params={params} />
      {isTextual(p) ? <TextStyleFields p={p} at={at} params={params} /> : null}
      <div className="insp-row">
        <NumberField
          label="Opacity (%)"
          value={Math.round((p.opacity ?? 1) * 100)}
          step="1"
          min={0}
          max={100}
          error={at('params.opacity')}
          onChange={(value) => params({ opacity: value === undefined ? undefined : value / 100 }, 'opacity')}
        />
        <NumberField
          label="Scale"
          value={p.scale ?? 1}
          step="0.1"
          min={0.1}
          max={10}
          error={at('params.scale')}
          onChange={(value) => params({ scale: value }, 'scale')}
        />
      </div>
      <div className="insp-row">
        <NumberField
          label="Fade in (s)"
          value={p.fade_in ?? 0}
          step="0.1"
          min={0}
          error={at('params.fade_in')}
          onChange={(value) => params({ fade_in: value }, 'fade-in')}
        />
        <NumberField
          label="Fade out (s)"
          value={p.fade_out ?? 0}
          step="0.1"
          min={0}
          error={at('params.fade_out')}
          onChange={(value) => params({ fade_out: value }, 'fade-out')}
        />
      </div>
    </>
  );
}
