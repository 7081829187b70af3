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

/** A compiled writer: the JSON text of a value's wire form (as `JSON.stringify(toWire(...))` gives it), or undefined when it has none. */
export type JsonWriter = (value: unknown) => string | undefined;

/** Compiled writers per model, then timestamp style, then shape name (no key string built per call). */
const writerCache = new WeakMap<ServiceModel, Map<TimestampStyle, Map<string, JsonWriter>>>();

/** A key JSON would place differently from where a writer puts it (array indexes come first), or one an object can't hold as its own. */
const REORDERED_KEY = /^(?:0|[1-9]\d*)$/;

const leafJson: JsonWriter = (value) => (value === undefined || value === null ? undefined : JSON.stringify(value));

/**
 * The writer of `shapeName`'s values in JSON, compiled once per model, shape and timestamp style:
 * the same text as `JSON.stringify(toWire(model, shapeName, value, style))`, without building the
 * intermediate wire object or walking the model per value.
 */
export function jsonWriter(model: ServiceModel, shapeName: string, style: TimestampStyle): JsonWriter {
  let byStyle = writerCache.get(model);
  if (!byStyle) writerCache.set(model, (byStyle = new Map()));
  let byShape = byStyle.get(style);
  if (!byShape) byStyle.set(style, (byShape = new Map()));
  return compileWriter(model, shapeName, style, byShape);
}

/** The writer of `shapeName` in `cache` (one style's writers), compiled on first use. */
function compileWriter(model: ServiceModel, shapeName: string, style: TimestampStyle, cache: Map<string, JsonWriter>): JsonWriter {
  const cached = cache.get(shapeName);
  if (cached) return cached;
  // A stub first, so a shape that contains itself compiles to a writer that calls itself.
  let impl: JsonWriter = leafJson;
  const stub: JsonWriter = (value) => impl(value);
  cache.set(shapeName, stub);
  impl = buildWriter(model, shapeName, style, cache);
  cache.set(shapeName, impl);
  return impl;
}

function buildWriter(model: ServiceModel, shapeName: string, style: TimestampStyle, cache: Map<string, JsonWriter>): JsonWriter {
  const shape = model.shapes[shapeName];
  if (!shape) return leafJson;
  switch (shape.type) {
    case "timestamp": {
      const iso = (shape.timestampFormat ?? style) === "iso8601";
      return (value) => {
        if (value === undefined || value === null) return undefined;
        const date = value instanceof Date ? value : new Date(value as string | number);
        return JSON.stringify(iso ? date.toISOString() : date.getTime() / 1000);
      };
    }
    case "structure": {
      const members: { name: string; key: string; write: JsonWriter }[] = [];
      const keys = new Set<string>();
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        if (ref.location) continue; // bound to a header/URI, not the body
        const key = ref.locationName ?? name;
        // Keys a plain object would reorder, merge or refuse: the generic path keeps JSON.stringify's exact answer.
        if (keys.has(key) || key === "__proto__" || REORDERED_KEY.test(key)) return genericWriter(model, shapeName, style);
        keys.add(key);
        members.push({ name, key: `${JSON.stringify(key)}:`, write: compileWriter(model, ref.shape, style, cache) });
      }
      // The text of each frozen value written: a frozen value is one the state cache shares between calls, unchanged while cached.
      const written = new WeakMap<object, string>();
      return (value) => {
        if (value === undefined || value === null) return undefined;
        if (typeof value !== "object") return JSON.stringify(value);
        const frozen = Object.isFrozen(value);
        if (frozen) {
          const known = written.get(value);
          if (known !== undefined) return known;
        }
        const record = value as Record<string, unknown>;
        let out = "";
        for (const m of members) {
          const text = m.write(record[m.name]);
          if (text !== undefined) out += out === "" ? m.key + text : `,${m.key}${text}`;
        }
        const text = `{${out}}`;
        if (frozen) written.set(value, text);
        return text;
      };
    }
    case "list": {
      if (!shape.member) return leafJson;
      const write = compileWriter(model, shape.member.shape, style, cache);
      return (value) => {
        if (value === undefined || value === null) return undefined;
        if (!Array.isArray(value)) return JSON.stringify(value);
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ",";
          out += write(value[i]) ?? "null";
        }
        return `${out}]`;
      };
    }
    case "map": {
      if (!shape.value) return leafJson;
      const write = compileWriter(model, shape.value.shape, style, cache);
      return (value) => {
        if (value === undefined || value === null) return undefined;
        if (typeof value !== "object") return JSON.stringify(value);
        let out = "";
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          if (k === "__proto__") continue; // assigning it sets a prototype: toWire's object never holds it
          const text = write(v);
          if (text !== undefined) out += `${out === "" ? "" : ","}${JSON.stringify(k)}:${text}`;
        }
        return `{${out}}`;
      };
    }
    default:
      return leafJson;
  }
}

function genericWriter(model: ServiceModel, shapeName: string, style: TimestampStyle): JsonWriter {
  return (value) => {
    const wire = toWire(model, shapeName, value, style);
    return wire === undefined ? undefined : JSON.stringify(wire);
  };
}
