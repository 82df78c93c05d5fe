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

/** An anchored regular expression that matches exactly these fully qualified names. */
export function directionRegex(names) {
  if (names.length === 0) throw new Error('no message names');
  return `^(${names.map((n) => n.replace(/\./g, '\\.')).join('|')})$`;
}
