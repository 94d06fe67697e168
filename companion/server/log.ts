// The server's log: one structured entry per event (`painterly serve` words them, tests read them).
export interface ServerLogEntry {
  event: string;
  [key: string]: unknown;
}
export type ServerLog = (entry: ServerLogEntry) => void;
