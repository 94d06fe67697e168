// What every `painterly` command is: cli/main.ts lists them and dispatches; each command module
// implements this and imports nothing from main.
export interface Command {
  summary: string;
  /** Runs with the arguments after the command's name; resolves to the process's exit code. */
  run(argv: string[]): Promise<number>;
}
