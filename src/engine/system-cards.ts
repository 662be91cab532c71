// Overlays the appliance itself puts on air (not from a timeline): rendered ahead of time with
// the timeline overlays, so showing one is instant.
import { OverlayParamsSchema, type OverlayParams } from '../timeline/schema.ts';

export type SystemCard = 'technical_difficulties' | 'reduced_quality';

export const SYSTEM_CARDS: Readonly<Record<SystemCard, OverlayParams>> = Object.freeze({
  technical_difficulties: OverlayParamsSchema.parse({
    type: 'lower_third',
    text: 'Technical difficulties',
    subtitle: "We'll be right back",
  }),
  reduced_quality: OverlayParamsSchema.parse({
    type: 'text',
    text: 'Reduced quality',
    position: 'top_right',
    font_size: 20,
    background: '#000000',
    opacity: 0.8,
  }),
});
