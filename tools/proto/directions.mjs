// Which messages a client encodes and which it decodes, from the service definition (a
// FileDescriptorSet as JSON, what `buf build -o x.json` writes). Pure; tested in directions.spec.mjs.

/**
 * `encode`: every message a method takes, and every message nested in one (fields, map entries);
 * `decode`: the same for what methods return. Names are fully qualified (`kubemq.Event.TagsEntry`),
 * what ts-proto matches its include-types options against.
 * @param {{ file: { package?: string, messageType?: object[], service?: { method: { inputType: string, outputType: string }[] }[] }[] }} descriptorSet
 * @returns {{ encode: string[], decode: string[] }}
 */
export function wireDirections(descriptorSet) {
  const messages = new Map();
  for (const file of descriptorSet.file) {
    const collect = (type, prefix) => {
      const name = `${prefix}.${type.name}`;
      messages.set(name, type);
      for (const nested of type.nestedType ?? []) collect(nested, name);
    };
    for (const type of file.messageType ?? []) collect(type, file.package ? `.${file.package}` : '');
  }
  const reach = (roots) => {
    const seen = new Set();
    const visit = (name) => {
      if (seen.has(name)) return;
      const type = messages.get(name);
      if (!type) throw new Error(`message ${name} is not in the descriptor set`);
      seen.add(name);
      for (const field of type.field ?? []) if (field.type === 'TYPE_MESSAGE') visit(field.typeName);
    };
    roots.forEach(visit);
    return [...seen].map((n) => n.slice(1)).sort();
  };
  const methods = descriptorSet.file.flatMap((f) => (f.service ?? []).flatMap((s) => s.method));
  if (methods.length === 0) throw new Error('the descriptor set declares no service methods');
  return { encode: reach(methods.map((m) => m.inputType)), decode: reach(methods.map((m) => m.outputType)) };
}

/**
 * The message types that can contain themselves, directly or through other messages (a cycle of
 * message-typed fields), by fully qualified name. Empty for a schema whose nesting depth is
 * bounded by the schema itself.
 */
export function recursiveMessages(descriptorSet) {
  const fields = new Map();
  for (const file of descriptorSet.file) {
    const collect = (type, prefix) => {
      const name = `${prefix}.${type.name}`;
      fields.set(name, (type.field ?? []).filter((f) => f.type === 'TYPE_MESSAGE').map((f) => f.typeName));
      for (const nested of type.nestedType ?? []) collect(nested, name);
    };
    for (const type of file.messageType ?? []) collect(type, file.package ? `.${file.package}` : '');
  }
  const reaches = (from, target, seen = new Set()) => {
    for (const next of fields.get(from) ?? []) {
      if (next === target) return true;
      if (!seen.has(next)) {
        seen.add(next);
        if (reaches(next, target, seen)) return true;
      }
    }
    return false;
  };
  return [...fields.keys()].filter((name) => reaches(name, name)).map((n) => n.slice(1)).sort();
}

/** An anchored regular expression that matches exactly these fully qualified names. */
export function directionRegex(names) {
  if (names.length === 0) throw new Error('no message names');
  return `^(${names.map((n) => n.replace(/\./g, '\\.')).join('|')})$`;
}
