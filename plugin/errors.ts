// Errors the panel raises itself (Photoshop side), next to the companion's PainterlyError codes.
// Every error the panel shows is a code to branch on plus a sentence for the user.
import { isPainterlyError, type ErrorCode } from '../shared/errors.js';

export const PANEL_ERRORS = {
  NO_DOCUMENT: 'Open a document in Photoshop first.',
  UNSUPPORTED_DOCUMENT: 'Painterly works on 8- and 16-bit RGB documents.',
  LAYER_MISSING: 'A layer the job needs is gone.',
  EMPTY_LAYER: 'The layer has no pixels.',
  NO_PAINTING: 'There is no layer below the pasted one to harmonize it into.',
  DOCUMENT_CHANGED: 'The document was closed or changed while Painterly worked; nothing was written.',
  PHOTOSHOP_BUSY: 'Photoshop is busy with a dialog or another plugin: finish that, then try again.',
  UNSUPPORTED_LAYER: 'Painterly cannot read that layer as it is shown.',
  PHOTOSHOP_FAILED: 'Photoshop refused the operation.',
} as const;

export type PanelErrorCode = keyof typeof PANEL_ERRORS;

export class PanelError extends Error {
  readonly code: PanelErrorCode;
  constructor(code: PanelErrorCode, message?: string) {
    super(message ?? PANEL_ERRORS[code]);
    this.name = 'PanelError';
    this.code = code;
  }
}

/** What the panel shows for an error: a code (companion or panel) and a sentence. */
export interface ErrorInfo {
  code: ErrorCode | PanelErrorCode;
  message: string;
}

export function describeError(e: unknown): ErrorInfo {
  if (isPainterlyError(e)) return { code: e.code, message: e.message };
  if (e instanceof PanelError) return { code: e.code, message: e.message };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'PHOTOSHOP_FAILED', message: `Photoshop refused the operation: ${message}` };
}
