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

/** GET /api/runs/:id: the run with its recorded parameters and result (parsed JSON, redacted). */
export interface RunDetailWithValues extends RunDetail {
  parameters?: unknown;
  result?: unknown;
}

export interface Deployment {
  name: string;
  flow: string;
  parameters: Record<string, unknown>;
  queue: string;
  workerConcurrency?: number;
  globalConcurrency?: number;
  cron?: string;
  description?: string;
  workers: string[];
  lastRun?: { id: string; state: string; createdAt: string; endedAt?: string };
}

export interface Worker {
  id: string;
  hostname: string;
  pid: number;
  deployments: string[];
  startedAt: string;
  heartbeatAt: string;
  stoppedAt?: string;
  takenOverBy?: string;
  live: boolean;
}

/** GET /api/deployments. */
export type DeploymentsAnswer =
  | { available: true; deployments: Deployment[]; workers: Worker[]; staleAfterMs: number }
  | { available: false; reason: string };

/** GET /api/runs/:id/durable. */
export type DurableStatus =
  | { durable: true; id: string; status: string; workerId?: string; queue?: string; deployment?: string; canCancel: boolean; canResume: boolean }
  | { durable: false; reason: string };
