export function formatMetric(metric: string, stat: string, value: number | null): string;
export function absolute(base: string, path: string): string;
export function renderTable(view: unknown, baseUrl: string): string;
export function xml(text: string): string;
export function renderJUnit(
  view: unknown,
  context: { baseUrl: string; seconds: number; error?: string; timestamp?: string; runId?: string | null },
): string;
export function renderMarkdown(view: unknown, context: { baseUrl: string; error?: string }): string;
