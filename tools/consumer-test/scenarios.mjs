// The apps the consumer test installs: one per pattern, each written as ESM `.mjs` and as
// CJS `.cjs` around the same round trip. Each app starts @kubemq/emulator in process from its
// own node_modules, connects with @kubemq/core, runs one round trip of its pattern, proves that
// the pattern's errors are core's classes (one copy of core), and prints `ok <pattern> <format>`.
// A third, mixed variant loads the pattern through require() from ESM (see renderApp).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Each body runs inside `async function roundTrip(client, channel)` (with `core` and `pattern`, the
 * namespaces of @kubemq/core and of the pattern package, in scope) and throws
 * on a wrong result.
 */
export const SCENARIOS = {
  events: {
    packageName: '@kubemq/events',
    body: `
  const ev = pattern.events(client);
  let arrived;
  const hello = new Promise((resolve) => (arrived = resolve));
  const listener = pattern.eventListener(ev, { channel }, (e) => { if (e.text() === 'hello' && e.tags.kind === 'greeting') arrived(); });
  // The broker registers a subscription a moment later and says nothing when it has: ready()
  // publishes probes until one arrives through this listener (its handler never sees them).
  await listener.ready({ timeoutMs: 10000 });
  await ev.send({ channel, body: 'hello', tags: { kind: 'greeting' } });
  let timer;
  await Promise.race([hello, new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('the event did not arrive within 10 s')), 10000); })]);
  clearTimeout(timer);
  await listener.stop();
  if (listener.stats.handled !== 1) throw new Error('the handler ran ' + listener.stats.handled + ' times, expected once');
  await expectValidationError(() => ev.send({ channel: '', body: 'x' }));`,
  },
  'events-store': {
    packageName: '@kubemq/events-store',
    body: `
  const es = pattern.eventsStore(client);
  const sent = await es.send({ channel, body: 'first' });
  if (!sent.sent) throw new Error('send was not accepted: ' + JSON.stringify(sent));
  for await (const event of es.subscribe({ channel, startAt: pattern.StartPosition.fromFirst() })) {
    if (event.text() !== 'first' || event.sequence !== 1) throw new Error('unexpected ' + event.sequence + ' ' + event.text());
    break;
  }
  await expectValidationError(() => es.send({ channel: '', body: 'x' }));`,
  },
  queues: {
    packageName: '@kubemq/queues',
    body: `
  const q = pattern.queues(client);
  await q.send({ channel, body: 'job 1' });
  const { messages } = await q.receive({ channel, maxItems: 1, waitTimeoutSeconds: 1 });
  if (messages.length !== 1 || messages[0].text() !== 'job 1') throw new Error('received ' + JSON.stringify(messages.map((m) => m.text())));
  await expectValidationError(() => q.send({ channel: '', body: 'x' }));`,
  },
  rpc: {
    packageName: '@kubemq/rpc',
    body: `
  const cmds = pattern.commands(client);
  const responder = pattern.commandResponder(cmds, { channel }, (cmd) => { if (cmd.text() !== 'reboot') throw new Error('bad command'); });
  await responder.ready();
  const response = await cmds.send({ channel, body: 'reboot', timeoutMs: 5000 });
  if (!response.executed) throw new Error('command not executed: ' + response.error);
  await responder.stop();
  await expectValidationError(() => cmds.send({ channel: '', body: 'x', timeoutMs: 1000 }));`,
  },
};

const SHARED = () => `
async function expectValidationError(fn) {
  try {
    await fn();
  } catch (e) {
    // The pattern throws core's class: proves the app holds one @kubemq/core, also when the
    // pattern came through require() and core through import (Node's entry points of both are
    // the CommonJS bundles).
    if (e instanceof core.ValidationError && e instanceof core.KubemqError) return;
    throw new Error('expected a ValidationError from @kubemq/core, got ' + (e && e.constructor && e.constructor.name) + ': ' + e);
  }
  throw new Error('an empty channel was accepted');
}`;

const MAIN = (name, format) => `
async function main() {
  if (typeof internal.recoverable !== 'function') throw new Error('@kubemq/core/internal did not load');
  const emulator = await KubemqEmulator.start({ port: 0 });
  const client = await core.KubemqClient.connect({ address: emulator.address, clientId: 'consumer-${name}-${format}' });
  try {
    // The SDK's Observables are the app's rxjs class (Node gives both one CommonJS rxjs).
    if (!(client.state$ instanceof rxjs.Observable)) throw new Error('client.state$ is not an rxjs Observable of the app');
    await roundTrip(client, 'consumer.${name}.${format}');
  } finally {
    await client.close();
    await emulator.stop();
  }
  console.log('ok ${name} ${format}');
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
`;

/** The files of the app for `name`, by format. */
export const APP_FILES = { esm: 'app.mjs', cjs: 'app.cjs', mixed: 'app-mixed.mjs' };

/**
 * The source of the app for `name` in `format`: 'esm' (all import), 'cjs' (all require), or
 * 'mixed': an ESM app whose pattern comes through require(), as when a CommonJS library in the
 * app uses it. In Node both reach the same CommonJS bundles (an SDK package's `import` entry for
 * Node re-exports its CommonJS build), so even then the app holds one core and `instanceof` holds.
 */
export function renderApp(name, format) {
  const s = SCENARIOS[name];
  if (!s) throw new Error(`unknown pattern ${name}`);
  if (!APP_FILES[format]) throw new Error(`unknown format ${format}`);
  const esmCore = `import * as core from '@kubemq/core';\nimport * as internal from '@kubemq/core/internal';\nimport * as rxjs from 'rxjs';`;
  const imports = {
    esm: `${esmCore}\nimport * as pattern from '${s.packageName}';\nimport { KubemqEmulator } from '@kubemq/emulator';`,
    cjs: `'use strict';\nconst core = require('@kubemq/core');\nconst internal = require('@kubemq/core/internal');\nconst rxjs = require('rxjs');\nconst pattern = require('${s.packageName}');\nconst { KubemqEmulator } = require('@kubemq/emulator');`,
    mixed: `${esmCore}\nimport { createRequire } from 'node:module';\nimport { KubemqEmulator } from '@kubemq/emulator';\nconst pattern = createRequire(import.meta.url)('${s.packageName}');`,
  }[format];
  return `// Generated by tools/consumer-test: ${s.packageName}, ${format}.\n${imports}\n${SHARED()}\n\nasync function roundTrip(client, channel) {${s.body}\n}\n${MAIN(name, format)}`;
}

/** Every installed copy of package `name` under `dir`/node_modules (nested ones too). */
export function findCopies(dir, name) {
  const found = [];
  const walk = (modules) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const scoped = entry.name.startsWith('@');
      const folders = scoped ? readdirSync(join(modules, entry.name)).map((n) => join(entry.name, n)) : [entry.name];
      for (const folder of folders) {
        const pkgDir = join(modules, folder);
        const manifest = join(pkgDir, 'package.json');
        if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === name) found.push(pkgDir);
        walk(join(pkgDir, 'node_modules'));
      }
    }
  };
  walk(join(dir, 'node_modules'));
  return found;
}

/**
 * A TypeScript consumer of every runtime package, compiled by `tsc` with `module: node16` as an
 * ES module (.mts: the `import` branches) and as CommonJS (.cts: the `require` branches), with
 * `skipLibCheck: false`, so every shipped .d.ts must compile against what a user installs.
 */
const TYPES_SOURCE = `import { jsonCodec, KubemqClient, KubemqError, textCodec, ValidationError, type ClientOptions } from '@kubemq/core';
import { openTelemetry } from '@kubemq/core/opentelemetry';
import { eventChannel, eventListener, events, eventStream, type EventListener, type EventReceive, type EventsClient, type TypedEventReceive } from '@kubemq/events';
import { eventsStore, eventStoreChannel, eventStoreStream, StartPosition, type EventStoreReceive } from '@kubemq/events-store';
import { queueChannel, queueConsumer, queues, queueUpstream, type PollResponse, type QueueConsumer, type QueueMessage } from '@kubemq/queues';
import { commandResponder, commands, queries, queryChannel, type CommandResponse, type Responder } from '@kubemq/rpc';
import type { Observable, Subscription } from 'rxjs';

export async function app(options: ClientOptions): Promise<void> {
  const client: KubemqClient = await KubemqClient.connect({ ...options, telemetry: openTelemetry() });
  const typed: Observable<TypedEventReceive<{ id: number }>> = eventChannel(client, { channel: 't', codec: jsonCodec<{ id: number }>() }).subscribe();
  typed.subscribe((e) => (e.ok ? e.value.id : e.decodeError.code));
  await eventStoreChannel(client, { channel: 'ts', codec: textCodec() }).send({ value: 'x' });
  const job = await queueChannel(client, { channel: 'tq', codec: jsonCodec<{ id: number }>() }).poll();
  const answer = await queryChannel(client, { channel: 'tr', codec: textCodec(), responseCodec: jsonCodec<number>() }).send({ value: 'q' });
  console.log(job.messages.map((m) => m.value?.id), answer.ok ? answer.value + 1 : answer.error);
  const ev: EventsClient = events(client);
  const live: Observable<EventReceive> = ev.subscribe({ channel: 'a' });
  const sub: Subscription = live.subscribe((e) => e.text());
  const listener: EventListener = eventListener(ev, { channel: 'a' }, (e) => e.text());
  await listener.ready({ timeoutMs: 5000 });
  await eventStream(client).send({ channel: 'a', body: 'x' });
  await eventStoreStream(client).close({ timeoutMs: 1000 });
  await using upstream = queueUpstream(client);
  const batch = await upstream.send([{ channel: 'c', body: 'x', policy: { delaySeconds: 1 } }]);
  const consumer: QueueConsumer = queueConsumer(client, { channel: 'c', maxItems: 10 }, (m) => m.text());
  const responder: Responder = commandResponder(client, { channel: 'd' }, () => undefined);
  const stored: AsyncIterable<EventStoreReceive> = eventsStore(client).subscribe({ channel: 'b', startAt: StartPosition.fromFirst() });
  const message: QueueMessage = { channel: 'c', body: 'x' };
  await queues(client).send(message);
  const polled: PollResponse = await queues(client).poll({ channel: 'c', maxItems: 1, waitTimeoutMs: 1000 });
  const reply: CommandResponse = await commands(client).send({ channel: 'd', body: 'x', timeoutMs: 1000 });
  await queries(client).send({ channel: 'e', body: 'x', timeoutMs: 1000 });
  const failed = (e: unknown): boolean => e instanceof ValidationError || KubemqError.isKubemqError(e);
  console.log(stored, polled.messages.length, reply.executed, failed(null), batch.failed);
  await Promise.all([listener.stop(), consumer.stop(), responder.stop()]);
  sub.unsubscribe();
  await client.close();
}
`;

export const TYPES_APP = {
  'app.mts': TYPES_SOURCE,
  'app.cts': TYPES_SOURCE,
  'tsconfig.json':
    JSON.stringify(
      {
        compilerOptions: {
          module: 'node16',
          moduleResolution: 'node16',
          target: 'ES2022',
          lib: ['ES2022', 'ESNext.Disposable'],
          types: ['node'],
          strict: true,
          noEmit: true,
          skipLibCheck: false,
        },
        files: ['app.mts', 'app.cts'],
      },
      null,
      2,
    ) + '\n',
};
