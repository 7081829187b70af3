/**
 * Model-driven conversion of output values to their wire form: timestamps (Date) become epoch
 * seconds (JSON protocols) or ISO-8601 (query/XML), members absent from the shape are dropped,
 * undefined members are omitted.
 */
import type { ServiceModel } from "./model.js";

export type TimestampStyle = "epoch-seconds" | "iso8601";

export function toWire(model: ServiceModel, shapeName: string, value: unknown, style: TimestampStyle): unknown {
  if (value === undefined || value === null) return undefined;
  const shape = model.shapes[shapeName];
  if (!shape) return value;
  switch (shape.type) {
    case "timestamp": {
      const date = value instanceof Date ? value : new Date(value as string | number);
      const format = shape.timestampFormat ?? style;
      return format === "iso8601" ? date.toISOString() : date.getTime() / 1000;
    }
    case "structure": {
      if (typeof value !== "object") return value;
      const out: Record<string, unknown> = {};
      const record = value as Record<string, unknown>;
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        if (ref.location) continue; // bound to a header/URI, not the body
        const wire = toWire(model, ref.shape, record[name], style);
        if (wire !== undefined) out[ref.locationName ?? name] = wire;
      }
      return out;
    }
    case "list":
      return Array.isArray(value) && shape.member ? value.map((v) => toWire(model, shape.member!.shape, v, style)) : value;
    case "map": {
      if (typeof value !== "object" || !shape.value) return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = toWire(model, shape.value.shape, v, style);
      return out;
    }
    default:
      return value;
  }
}
