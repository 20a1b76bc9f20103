/** JSON Schema of a block field, as GET /api/types returns it. */
export interface FieldSchema {
  type?: string;
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  format?: string;
  writeOnly?: boolean;
  properties?: Record<string, FieldSchema>;
  required?: string[];
  additionalProperties?: FieldSchema | boolean;
  anyOf?: FieldSchema[];
}

export interface BlockType {
  slug: string;
  name: string;
  description: string;
  documentationUrl?: string;
  schemaVersion: number;
  secretFields: string[];
  schema: FieldSchema;
}

export interface BlockInfo {
  type: string;
  typeName: string;
  name: string;
  createdAt: string;
  updatedAt: string;
}

export interface BlockDetail extends BlockInfo {
  url?: string;
  data: Record<string, unknown>;
}

export interface RunSummary {
  id: string;
  name: string;
  state: string;
  tags: string[];
  attempts: number;
  error?: string;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  taskCount: number;
}

export interface RunPage {
  runs: RunSummary[];
  total: number;
  limit: number;
  offset: number;
}

export interface TaskRun {
  id: string;
  name: string;
  state: string;
  attempts: number;
  error?: string;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
}

export interface RunDetail {
  run: RunSummary;
  taskRuns: TaskRun[];
}

export interface LogRecord {
  id: number;
  taskRunId?: string;
  kind: "log" | "statement";
  level: string;
  message: string;
  durationMs?: number;
  rowCount?: number;
  at: string;
}

export interface HistorySeries {
  unit: "minute" | "hour" | "day";
  buckets: { start: string; counts: Record<string, number> }[];
}
