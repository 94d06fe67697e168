export const VERSION = '0.1.0';
/** Bumped on any incompatible change to messages or frames. */
export const PROTOCOL_VERSION = 2;
