// Holds requests and answers against ONTAP's published fields (test/fixtures/ontap-spec.json,
// derived from the netapp_ontap library's generated models): every field known, settable by the
// method that sets it, enum values valid, a SnapMirror throttle plausible in KB/s.
import spec from '../fixtures/ontap-spec.json';

export interface SpecResource {
  path: string;
  source: string;
  get: string[];
  post: string[];
  patch: string[];
  required: string[][] | null;
  enums: Record<string, string[]>;
  units?: Record<string, string>;
}
export const SPEC = spec as unknown as { resources: Record<string, SpecResource>; pending: string[] };

/**
 * The fastest link a SnapMirror throttle could mean, in KB/s (100 Gbit/s). A larger throttle is
 * a bytes-per-second value sent where ONTAP takes KB/s.
 */
export const MAX_PLAUSIBLE_THROTTLE_KBS = 12_500_000;

/** Dotted leaf paths of a body (`{svm: {name}}` -> `svm.name`); arrays are leaves. */
export function leafPaths(body: unknown, prefix = ''): [string, unknown][] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return prefix ? [[prefix, body]] : [];
  return Object.entries(body as Record<string, unknown>).flatMap(([k, v]) =>
    leafPaths(v, prefix ? `${prefix}.${k}` : k),
  );
}

/** Whether `path` is one of `fields` or lies under one of them (a field listed whole). */
export const covered = (path: string, fields: string[]): boolean =>
  fields.some((f) => path === f || path.startsWith(`${f}.`));

/** The resource a request path names (`/api/svm/svms/{uuid}` is svm), or undefined. */
export function resourceOf(
  path: string,
): { name: string; resource: SpecResource; instance: boolean } | undefined {
  for (const [name, resource] of Object.entries(SPEC.resources)) {
    if (path === resource.path) return { name, resource, instance: false };
    const rest = path.startsWith(`${resource.path}/`) ? path.slice(resource.path.length + 1) : undefined;
    if (rest && !rest.includes('/')) return { name, resource, instance: true };
  }
  return undefined;
}

/** What is wrong with one request, as ONTAP's spec says (empty: it conforms or names no resource of the fixture). */
export function checkRequest(method: string, path: string, body: unknown): string[] {
  const found = resourceOf(path);
  if (!found || (method !== 'POST' && method !== 'PATCH')) return [];
  const { name, resource } = found;
  const settable = method === 'POST' ? resource.post : resource.patch;
  const problems: string[] = [];
  for (const [field, value] of leafPaths(body)) {
    if (field === 'return_timeout' || field === 'return_records') continue;
    const known =
      covered(field, resource.get) || covered(field, resource.post) || covered(field, resource.patch);
    if (!known) problems.push(`${method} ${name}: ${field} is not a field of ${name}`);
    else if (!covered(field, settable))
      problems.push(`${method} ${name}: ${field} cannot be set by ${method}`);
    problems.push(...checkValue(name, resource, field, value));
  }
  if (method === 'POST' && resource.required) {
    const paths = leafPaths(body).map(([p]) => p);
    for (const alternatives of resource.required) {
      if (!alternatives.some((a) => paths.some((p) => p === a || p.startsWith(`${a}.`))))
        problems.push(`POST ${name}: ${alternatives.join(' or ')} is required`);
    }
  }
  return problems;
}

/** Enum and unit checks of one field's value (answers and requests alike). */
export function checkValue(name: string, resource: SpecResource, field: string, value: unknown): string[] {
  const problems: string[] = [];
  const values = resource.enums[field];
  if (values && typeof value === 'string' && !values.includes(value.toLowerCase()))
    problems.push(`${name}: ${field} "${value}" is not one of ${values.join(', ')}`);
  if (
    resource.units?.[field]?.startsWith('KB/s') &&
    typeof value === 'number' &&
    value > MAX_PLAUSIBLE_THROTTLE_KBS
  )
    problems.push(`${name}: ${field} ${value} is not plausible in KB/s (a bytes-per-second value?)`);
  return problems;
}

/** What is wrong with one answered record of `name`: fields GET does not answer, enum values. */
export function checkAnswer(name: string, record: unknown): string[] {
  const resource = SPEC.resources[name];
  return leafPaths(record).flatMap(([field, value]) => [
    ...(covered(field, resource.get) ? [] : [`GET ${name}: ${field} is not a field of ${name}`]),
    ...checkValue(name, resource, field, value),
  ]);
}
