// What the inspector's parts share: the props the builder hands the inspector, and the two
// callbacks every cue's fields get (its problem for a field, and a change of its parameters).
import type { Catalog } from '../catalog.ts';
import type { Cue, OverlayKind, OverlayParams, PlacedIssue } from '../model.ts';
import type { Selection } from '../Lanes.tsx';
import type { Editor } from '../use-editor.ts';

export interface InspectorProps {
  editor: Editor;
  catalog: Catalog;
  selection: Selection;
  onSelect: (selection: Selection) => void;
  issues: readonly PlacedIssue[];
  onRemoveTrack: (uid: string) => void;
}

/** The appliance's problem for a field of the cue ("params.text"), if any. */
export type IssueAt = (field: string) => string | undefined;
/** Sets (or, with undefined, removes) parameters; the same `merge` key is one undo step. */
export type SetParams = (patch: Record<string, unknown>, merge?: string) => void;

export interface CueFieldsProps<C extends Cue> {
  cue: C;
  catalog: Catalog;
  at: IssueAt;
  params: SetParams;
}

export type OverlayParamsOf<K extends OverlayKind> = Extract<OverlayParams, { type: K }>;

/** The fields of one overlay kind: its parameters, already narrowed to that kind. */
export interface OverlayKindProps<K extends OverlayKind> {
  /** The cue's uid: typing in a text field of this cue is one undo step. */
  uid: string;
  p: OverlayParamsOf<K>;
  catalog: Catalog;
  at: IssueAt;
  params: SetParams;
}

/** The choice in a media or image list that means "a path or web address instead of a file". */
export const ADDRESS_CHOICE = 'address';
