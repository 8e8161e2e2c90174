import { BUILTIN_GROUPS } from './builtins.js';
import { age } from './duration.js';
import { evalJsonPath } from './jsonpath.js';
import { BUILTIN_CELLS, NO_NAME_COLUMN } from './table-builtins.js';
import type { KubeObject, PrinterColumn, ResourceType } from './types.js';

interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string };
  columnDefinitions: ColumnDefinition[];
  rows: { cells: unknown[]; object?: unknown }[];
}

const NAME_COLUMN: ColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};

/** A CRD without additionalPrinterColumns gets Age, as apiextensions' default table convertor does. */
const DEFAULT_CR_COLUMNS: PrinterColumn[] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

function isBuiltin(t: ResourceType): boolean {
  return BUILTIN_GROUPS.has(t.group) && BUILTIN_CELLS[t.kind] !== undefined;
}

function columnsOf(t: ResourceType): PrinterColumn[] {
  return t.printerColumns && t.printerColumns.length > 0 ? t.printerColumns : DEFAULT_CR_COLUMNS;
}

/** apiextensions' cellForJSONValue: dates become ages, strings print like `kubectl get -o jsonpath`. */
function crCell(column: PrinterColumn, obj: KubeObject, now: Date): unknown {
  let results: unknown[];
  try {
    results = evalJsonPath(obj, column.jsonPath);
  } catch {
    return null;
  }
  if (results.length === 0) return null;
  const v = results[0];
  switch (column.type) {
    case 'date':
      return typeof v === 'string' ? age(v, now) : null;
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) ? v : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    default:
      return typeof v === 'string' ? v : JSON.stringify(v);
  }
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(obj: KubeObject, include: IncludeObject): unknown {
  if (include === 'Object') return obj;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

/** Converts objects of one type to the meta.k8s.io/v1 Table that `kubectl get` prints. */
export function toTable(
  t: ResourceType,
  objects: KubeObject[],
  opts: { now: Date; includeObject?: IncludeObject; resourceVersion?: string; columnDefinitions?: boolean },
): Table {
  const builtin = isBuiltin(t);
  const withName = !(builtin && NO_NAME_COLUMN.has(t.kind));
  const extra = columnsOf(builtin ? { ...t, printerColumns: t.printerColumns ?? [] } : t);
  const columnDefinitions: ColumnDefinition[] = [
    ...(withName ? [NAME_COLUMN] : []),
    ...extra.map((c) => ({
      name: c.name,
      type: c.type === 'date' ? 'date' : c.type,
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
  ];
  const include = opts.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.resourceVersion ? { resourceVersion: opts.resourceVersion } : {},
    columnDefinitions: opts.columnDefinitions === false ? [] : columnDefinitions,
    rows: objects.map((obj) => {
      const cells = builtin
        ? BUILTIN_CELLS[t.kind]!(obj, opts.now)
        : extra.map((c) => crCell(c, obj, opts.now));
      return {
        cells: withName ? [obj.metadata.name, ...cells] : cells,
        ...(include === 'None' ? {} : { object: rowObject(obj, include) }),
      };
    }),
  };
}
