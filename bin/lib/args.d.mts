export class UsageError extends Error {}
export function parseThreshold(text: string): Record<string, unknown>;
export type CliCommand =
  | { command: "help" }
  | { command: "version" }
  | {
      command: "eval";
      url: string;
      apiKey: string;
      junit: string | null;
      markdown: string | null;
      timeoutSeconds: number;
      pollSeconds: number;
      runId: string | null;
      request: Record<string, unknown> | null;
    };
export function parseCli(argv: string[], env: Record<string, string | undefined>): CliCommand;
export const HELP: string;
