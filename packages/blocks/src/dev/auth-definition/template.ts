/**
 * Typed reads of a synthesized CloudFormation template: the few shapes the
 * auth definition needs, without trusting the JSON to be what we expect.
 */
import { isJsonObject, type JsonObject } from '../../core/safe-json.js';

export interface TemplateResource {
  readonly id: string;
  readonly type: string;
  readonly properties: JsonObject;
}

export function resourcesOfType(template: JsonObject, type: string): TemplateResource[] {
  const resources = isJsonObject(template.Resources) ? template.Resources : {};
  return Object.entries(resources).flatMap(([id, resource]) => {
    if (!isJsonObject(resource) || resource.Type !== type) return [];
    return [{ id, type, properties: isJsonObject(resource.Properties) ? resource.Properties : {} }];
  });
}

export function objectAt(value: JsonObject, key: string): JsonObject {
  const found = value[key];
  return isJsonObject(found) ? found : {};
}

export function stringsAt(value: JsonObject, key: string): string[] {
  const found = value[key];
  return Array.isArray(found) ? found.filter((item): item is string => typeof item === 'string') : [];
}

export function numberAt(value: JsonObject, key: string): number | undefined {
  const found = value[key];
  return typeof found === 'number' ? found : undefined;
}

export function stringAt(value: JsonObject, key: string): string | undefined {
  const found = value[key];
  return typeof found === 'string' ? found : undefined;
}

/** The root stack's literal outputs (CloudFormation references, i.e. deploy-time ids, are left out). */
export function literalOutputs(root: JsonObject): Record<string, string> {
  const outputs = objectAt(root, 'Outputs');
  const result: Record<string, string> = {};
  for (const [name, output] of Object.entries(outputs)) {
    if (isJsonObject(output) && typeof output.Value === 'string') result[name] = output.Value;
  }
  return result;
}
