// Where the engine reports what an operator must know (persisted and notified by the app layer's
// alert center); parts of the engine take it without the engine itself.
import type { AlertSink } from '../errors/alert-sink.ts';

export type EngineAlerts = AlertSink;
