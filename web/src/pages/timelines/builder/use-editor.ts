// The builder's editing state in React: the model with undo/redo (state.ts's history).
import { useCallback, useReducer } from 'react';
import type { Model } from './model.ts';
import { historyReducer, startHistory } from './state.ts';

export interface Editor {
  model: Model;
  edit: (change: (model: Model) => Model, merge?: string) => void;
  undo: () => void;
  redo: () => void;
  reset: (model: Model) => void;
  canUndo: boolean;
  canRedo: boolean;
}

export function useEditor(initial: () => Model): Editor {
  const [state, dispatch] = useReducer(historyReducer, undefined, () => startHistory(initial()));
  const edit = useCallback(
    (change: (model: Model) => Model, merge?: string) =>
      dispatch({ type: 'edit', change, merge: merge ?? null }),
    [],
  );
  const undo = useCallback(() => dispatch({ type: 'undo' }), []);
  const redo = useCallback(() => dispatch({ type: 'redo' }), []);
  const reset = useCallback((model: Model) => dispatch({ type: 'reset', model }), []);
  return {
    model: state.model,
    edit,
    undo,
    redo,
    reset,
    canUndo: state.past.length > 0,
    canRedo: state.future.length > 0,
  };
}
