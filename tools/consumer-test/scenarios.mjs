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
 * A TypeScript consumer of every runtime package, compiled with `skipLibCheck: false`, so every
 * shipped .d.ts must compile against what a user installs: as an ES module (.mts: the `import`
 * branches) and as CommonJS (.cts: the `require` branches) under node16 and nodenext, and as a
 * plain .ts under bundler and node10 (TypeScript's default for `"module": "commonjs"`).
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

/**
 * A CommonJS module and an ES module of one app handing clients and errors to each other: the
 * types of @kubemq/core must be one set for both (a class with #private members declared twice
 * would be two types, and TypeScript would refuse either hand-over).
 */
const DUAL_LIB = `// The app's CommonJS module: makes a client, and uses one made by an ES module.
import { KubemqClient, ValidationError } from '@kubemq/core';
import { queues } from '@kubemq/queues';
import type { Observable } from 'rxjs';

export function makeClient(): Promise<KubemqClient> {
  return KubemqClient.connect({ address: 'localhost:50000' });
}
export function isValidation(e: unknown): e is ValidationError {
  return e instanceof ValidationError;
}
export function state(client: KubemqClient): Observable<string> {
  return client.state$;
}
export async function sendFromCommonJs(client: KubemqClient): Promise<string> {
  return (await queues(client).send({ channel: 'q', body: 'x' })).id;
}
`;

const DUAL_APP = `// The app's ES module: the patterns take the CommonJS module's client, and the reverse.
import { KubemqClient, type KubemqError } from '@kubemq/core';
import { eventListener, events } from '@kubemq/events';
import { eventsStore } from '@kubemq/events-store';
import { queueConsumer, queues } from '@kubemq/queues';
import { commands } from '@kubemq/rpc';
import { isValidation, makeClient, sendFromCommonJs, state } from './dual-lib.cjs';

export async function dual(): Promise<KubemqError | undefined> {
  const fromCommonJs = await makeClient();
  events(fromCommonJs);
  eventsStore(fromCommonJs);
  commands(fromCommonJs);
  const listener = eventListener(fromCommonJs, { channel: 'a' }, () => undefined);
  const consumer = queueConsumer(fromCommonJs, { channel: 'q' }, () => undefined);
  const fromEsm = await KubemqClient.connect({ address: 'localhost:50000' });
  state(fromEsm).subscribe(() => undefined);
  await sendFromCommonJs(fromEsm);
  await Promise.all([listener.stop(), consumer.stop()]);
  try {
    await queues(fromCommonJs).send({ channel: '', body: 'x' });
  } catch (e) {
    if (isValidation(e)) return e;
  }
  return undefined;
}
`;

/** node10 knows no exports map: each subpath entry's types come from `typesVersions`. */
const SUBPATHS_SOURCE = `import { KubemqEmulator } from '@kubemq/emulator';
import * as wire from '@kubemq/emulator/wire';
import { startKubemq } from '@kubemq/testing';
import { uniqueChannel } from '@kubemq/testing/jest';
import globalSetup from '@kubemq/testing/jest/global-setup';
import globalTeardown from '@kubemq/testing/jest/global-teardown';
import { KubemqContainer } from '@kubemq/testing/container';
import { captureTelemetry } from '@kubemq/testing/opentelemetry';
import { recoverable } from '@kubemq/core/internal';
import { openTelemetry } from '@kubemq/core/opentelemetry';

export const used: unknown[] = [KubemqEmulator, wire, startKubemq, uniqueChannel, globalSetup, globalTeardown, KubemqContainer, captureTelemetry, recoverable, openTelemetry];
`;

/**
 * A consumer compiled with `exactOptionalPropertyTypes`: every optional field of what an app builds
 * and hands to the SDK (options, messages, replies, policies, limits) takes an explicit `undefined`,
 * which the SDK reads as "not given", so a `number | undefined` passes through as is. Output types
 * (received messages, results, stats) are not listed: they are read, not built.
 */
const EXACT_OPTIONAL_SOURCE = `import { KubemqError, KubemqClient, ValidationError, TimeoutError, jsonCodec, refreshingCredentials, type CallOptions, type ChannelListOptions, type ChannelOptions, type ClientOptions, type Codec, type CredentialProvider, type JsonCodecOptions, type KeepaliveOptions, type KubemqErrorOptions, type LinkCheckOptions, type RefreshingCredentialsOptions, type TlsOptions } from '@kubemq/core';
import { messageContext, type OpenTelemetryOptions } from '@kubemq/core/opentelemetry';
import { events, type Event, type EventChannelOptions, type EventsOptions, type EventStreamOptions, type EventsSubscription, type ListenOptions, type TypedEvent } from '@kubemq/events';
import { type EventStore, type EventStoreChannelOptions, type EventsStoreOptions, type EventsStoreSubscription, type EventStoreStreamOptions, type TypedEventStore } from '@kubemq/events-store';
import { QueueTransactionError, queues, type ConsumeOptions, type QueueChannelOptions, type QueueMessage, type QueuePollOptions, type QueuePolicy, type QueuePurgeOptions, type QueueReceiveOptions, type QueueRequeueOptions, type QueuesInfoOptions, type QueuesOptions, type QueuesSubscription, type QueueUpstreamOptions, type TypedQueueMessage } from '@kubemq/queues';
import { KubemqEmulator, resolveConfig, type EmulatorOptions, type EmulatorStartOptions } from '@kubemq/emulator';
import { createTestPki, ping, type BrokerTlsOptions, type PingOptions, type PingTarget, type RestartOptions, type StartKubemqOptions, type TestPkiOptions } from '@kubemq/testing';
import { eventually, type RetryOptions } from '@kubemq/testing/jest';
import { commands, type Command, type CommandChannelOptions, type CommandHandlerResult, type CommandReply, type CommandsSubscription, type HandleOptions, type QueriesSubscription, type Query, type QueryChannelOptions, type QueryHandlerResult, type QueryReply, type RequestOptions, type TypedCommand, type TypedQuery, type TypedQueryHandlerResult, type TypedQueryReply } from '@kubemq/rpc';

/** The optional fields of T that refuse an explicit \`undefined\` (never, when there are none). */
type RefusingUndefined<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? ({ [P in K]: undefined } extends Pick<T, K> ? never : K) : never }[keyof T];
/** Compiles only when T has no such field; the error names the field that refuses. */
type AcceptsUndefined<T extends object> = [RefusingUndefined<T>] extends [never] ? true : \`refuses undefined: \${RefusingUndefined<T> & string}\`;
const acceptsUndefined = <T extends object>(ok: AcceptsUndefined<T>): AcceptsUndefined<T> => ok;

type Element<T> = T extends readonly (infer E)[] ? E : T;
type Part<T, K extends keyof T> = Extract<NonNullable<T[K]>, object>;

export const checked = [
  // @kubemq/core
  acceptsUndefined<ClientOptions>(true),
  acceptsUndefined<TlsOptions>(true),
  acceptsUndefined<KeepaliveOptions>(true),
  acceptsUndefined<LinkCheckOptions>(true),
  acceptsUndefined<Part<ClientOptions, 'reconnect'>>(true),
  acceptsUndefined<CallOptions>(true),
  acceptsUndefined<ChannelOptions>(true),
  acceptsUndefined<ChannelListOptions>(true),
  acceptsUndefined<RefreshingCredentialsOptions>(true),
  acceptsUndefined<Awaited<ReturnType<CredentialProvider['getToken']>>>(true),
  acceptsUndefined<KubemqErrorOptions>(true),
  acceptsUndefined<ConstructorParameters<typeof ValidationError>[0]>(true),
  acceptsUndefined<ConstructorParameters<typeof TimeoutError>[0]>(true),
  acceptsUndefined<Codec<number>>(true),
  acceptsUndefined<JsonCodecOptions<number>>(true),
  acceptsUndefined<OpenTelemetryOptions>(true),
  acceptsUndefined<NonNullable<Parameters<typeof messageContext>[1]>>(true),
  // @kubemq/events
  acceptsUndefined<Event>(true),
  acceptsUndefined<TypedEvent<number>>(true),
  acceptsUndefined<EventsOptions>(true),
  acceptsUndefined<EventsSubscription>(true),
  acceptsUndefined<ListenOptions>(true),
  acceptsUndefined<EventStreamOptions>(true),
  acceptsUndefined<EventChannelOptions<number>>(true),
  // @kubemq/events-store
  acceptsUndefined<EventStore>(true),
  acceptsUndefined<TypedEventStore<number>>(true),
  acceptsUndefined<EventsStoreOptions>(true),
  acceptsUndefined<EventsStoreSubscription>(true),
  acceptsUndefined<EventStoreStreamOptions>(true),
  acceptsUndefined<EventStoreChannelOptions<number>>(true),
  // @kubemq/queues
  acceptsUndefined<QueuesOptions>(true),
  acceptsUndefined<Part<QueuesOptions, 'limits'>>(true),
  acceptsUndefined<QueueUpstreamOptions>(true),
  acceptsUndefined<Part<QueueUpstreamOptions, 'limits'>>(true),
  acceptsUndefined<QueueMessage>(true),
  acceptsUndefined<TypedQueueMessage<number>>(true),
  acceptsUndefined<QueuePolicy>(true),
  acceptsUndefined<QueueReceiveOptions>(true),
  acceptsUndefined<QueuePurgeOptions>(true),
  acceptsUndefined<QueueRequeueOptions>(true),
  acceptsUndefined<QueuesInfoOptions>(true),
  acceptsUndefined<QueuePollOptions>(true),
  acceptsUndefined<QueuesSubscription>(true),
  acceptsUndefined<ConsumeOptions>(true),
  acceptsUndefined<QueueChannelOptions<number>>(true),
  acceptsUndefined<ConstructorParameters<typeof QueueTransactionError>[0]>(true),
  // @kubemq/rpc
  acceptsUndefined<Command>(true),
  acceptsUndefined<TypedCommand<number>>(true),
  acceptsUndefined<CommandReply>(true),
  acceptsUndefined<CommandHandlerResult>(true),
  acceptsUndefined<CommandsSubscription>(true),
  acceptsUndefined<Query>(true),
  acceptsUndefined<TypedQuery<number>>(true),
  acceptsUndefined<QueryReply>(true),
  acceptsUndefined<QueryHandlerResult>(true),
  acceptsUndefined<TypedQueryReply<number>>(true),
  acceptsUndefined<TypedQueryHandlerResult<number>>(true),
  acceptsUndefined<QueriesSubscription>(true),
  acceptsUndefined<RequestOptions>(true),
  acceptsUndefined<HandleOptions>(true),
  acceptsUndefined<CommandChannelOptions<number>>(true),
  acceptsUndefined<QueryChannelOptions<number, number>>(true),
  // @kubemq/emulator, @kubemq/testing
  acceptsUndefined<EmulatorOptions>(true),
  acceptsUndefined<Part<EmulatorOptions, 'queue'>>(true),
  acceptsUndefined<Part<EmulatorOptions, 'keepalive'>>(true),
  acceptsUndefined<Part<EmulatorOptions, 'tls'>>(true),
  acceptsUndefined<EmulatorStartOptions>(true),
  acceptsUndefined<StartKubemqOptions>(true),
  acceptsUndefined<BrokerTlsOptions>(true),
  acceptsUndefined<RestartOptions>(true),
  acceptsUndefined<PingOptions>(true),
  acceptsUndefined<PingTarget>(true),
  acceptsUndefined<TestPkiOptions>(true),
  acceptsUndefined<RetryOptions>(true),
];

// What an app does: settings that may be missing pass straight through.
export async function app(settings: { address?: string; timeoutMs?: number; group?: string; delaySeconds?: number; token?: string }): Promise<void> {
  const { address, timeoutMs, group, delaySeconds, token } = settings;
  const client = await KubemqClient.connect({ address, authToken: token, reconnect: { maxAttempts: undefined }, tls: { serverName: undefined } });
  await events(client, { sendMode: undefined }).send({ channel: 'e', body: 'x', tags: undefined }, { timeoutMs });
  events(client).subscribe({ channel: 'e', group });
  await queues(client, { limits: { maxDelaySeconds: undefined } }).send({ channel: 'q', body: 'x', policy: { delaySeconds } });
  await commands(client).send({ channel: 'c', timeoutMs }, { signal: undefined });
  const codec: Codec<number> = { ...jsonCodec<number>(), validate: undefined };
  refreshingCredentials({ getToken: async () => ({ token: 't', expiresAt: undefined }) }, { refreshMarginMs: undefined });
  console.log(codec, new KubemqError({ code: 'TIMEOUT', message: 'm', operation: 'app', channel: undefined }), checked.length);
  await client.close({ timeoutMs });
}

export async function broker(port?: number, timeoutMs?: number): Promise<void> {
  const emulator = await KubemqEmulator.start({ port, queue: { maxDelaySeconds: undefined }, tls: undefined });
  await ping({ address: emulator.address, authToken: undefined }, { timeoutMs });
  await eventually(() => undefined, { timeoutMs, intervalMs: undefined });
  console.log(resolveConfig({ port }), createTestPki({ serverNames: undefined }));
  await emulator.stop();
}
`;

const compilerOptions = (module, moduleResolution, extra = {}) => ({
  module,
  moduleResolution,
  target: 'ES2022',
  lib: ['ES2022', 'ESNext.Disposable'],
  types: ['node'],
  strict: true,
  noEmit: true,
  skipLibCheck: false,
  ...extra,
});
const tsconfig = (options, files) => JSON.stringify({ compilerOptions: options, files }, null, 2) + '\n';
const NODE_FILES = ['app.mts', 'app.cts', 'dual.mts', 'dual-lib.cts'];

/**
 * The TypeScript app's tsconfigs, each compiled on its own (file → what it proves). The
 * subpaths config skips the libraries' own checks: @kubemq/testing's declarations name optional
 * peers (testcontainers) the app does not install; what it checks is that each subpath resolves.
 */
export const TYPES_CONFIGS = {
  'tsconfig.node16.json': 'node16: .mts and .cts, a client handed between them',
  'tsconfig.nodenext.json': 'nodenext: .mts and .cts, a client handed between them',
  'tsconfig.bundler.json': 'bundler',
  'tsconfig.node10.json': 'node10',
  'tsconfig.node10-subpaths.json': 'node10: every subpath entry of @kubemq/core, emulator and testing resolves',
  'tsconfig.exact-optional.json': 'exactOptionalPropertyTypes: every optional field of an input type takes undefined',
};

export const TYPES_APP = {
  'app.mts': TYPES_SOURCE,
  'app.cts': TYPES_SOURCE,
  'app.ts': TYPES_SOURCE,
  'dual.mts': DUAL_APP,
  'dual-lib.cts': DUAL_LIB,
  'subpaths.ts': SUBPATHS_SOURCE,
  'exact-optional.ts': EXACT_OPTIONAL_SOURCE,
  'tsconfig.node16.json': tsconfig(compilerOptions('node16', 'node16'), NODE_FILES),
  'tsconfig.nodenext.json': tsconfig(compilerOptions('nodenext', 'nodenext'), NODE_FILES),
  'tsconfig.bundler.json': tsconfig(compilerOptions('preserve', 'bundler'), ['app.ts']),
  'tsconfig.node10.json': tsconfig(compilerOptions('commonjs', 'node10'), ['app.ts']),
  'tsconfig.node10-subpaths.json': tsconfig(compilerOptions('commonjs', 'node10', { skipLibCheck: true }), ['subpaths.ts']),
  'tsconfig.exact-optional.json': tsconfig(compilerOptions('preserve', 'bundler', { exactOptionalPropertyTypes: true }), ['exact-optional.ts']),
};

/** The SDK entries the bundled app takes both ways. */
const BUNDLED_ENTRIES = ['@kubemq/core', '@kubemq/core/internal', ...Object.values(SCENARIOS).map((s) => s.packageName)];

/**
 * An app a bundler (esbuild, webpack) turns into one file: its ES module imports the SDK and its
 * CommonJS module (as a CommonJS library in the app would) require()s it. Bundlers pick an exports
 * branch per import kind, so unless the packages steer both to one build the bundle holds two
 * copies of each class. The app proves it holds one: every name of every entry is the same value
 * both ways, and a pattern taken one way throws errors that are `instanceof` the KubemqError taken
 * the other way, with a client made the other way. It talks to the broker at KUBEMQ_ADDRESS.
 */
export const BUNDLE_APP = {
  'lib.cjs': `'use strict';
// The app's CommonJS module: takes the SDK with require().
module.exports = {
${BUNDLED_ENTRIES.map((e) => `  '${e}': require('${e}'),`).join('\n')}
};
`,
  'app.mjs': `// The app's ES module: imports the SDK, and the CommonJS module that require()s it.
${BUNDLED_ENTRIES.map((e, i) => `import * as entry${i} from '${e}';`).join('\n')}
import { Observable } from 'rxjs';
import required from './lib.cjs';

const imported = { ${BUNDLED_ENTRIES.map((e, i) => `'${e}': entry${i}`).join(', ')} };
const core = imported['@kubemq/core'];
const requiredCore = required['@kubemq/core'];

async function expectValidationError(what, fn, KubemqError) {
  try {
    await fn();
  } catch (e) {
    if (e instanceof KubemqError && KubemqError.isKubemqError(e) && e.code === 'VALIDATION') return;
    throw new Error(what + ': expected a ValidationError instanceof the other way\\'s KubemqError, got ' + (e && e.constructor && e.constructor.name) + ': ' + e);
  }
  throw new Error(what + ': an empty channel was accepted');
}

async function main() {
  for (const [entry, names] of Object.entries(imported)) {
    const differ = Object.keys(names).filter((name) => names[name] !== required[entry][name]);
    if (Object.keys(names).length === 0 || differ.length) throw new Error(entry + ': import and require() give two copies of ' + differ.join(', '));
  }
  const address = process.env.KUBEMQ_ADDRESS;
  const esmClient = await core.KubemqClient.connect({ address, clientId: 'bundle-esm' });
  const cjsClient = await requiredCore.KubemqClient.connect({ address, clientId: 'bundle-cjs' });
  try {
    if (!(cjsClient.state$ instanceof Observable)) throw new Error('client.state$ is not the app\\'s rxjs Observable');
    const queues = imported['@kubemq/queues'].queues;
    const requiredQueues = required['@kubemq/queues'].queues;
    await expectValidationError('imported queues, required client', () => queues(cjsClient).send({ channel: '', body: 'x' }), requiredCore.KubemqError);
    await expectValidationError('required queues, imported client', () => requiredQueues(esmClient).send({ channel: '', body: 'x' }), core.KubemqError);
    await expectValidationError('imported events, required client', () => imported['@kubemq/events'].events(cjsClient).send({ channel: '', body: 'x' }), requiredCore.KubemqError);
    await requiredQueues(esmClient).send({ channel: 'consumer.bundle', body: 'job 1' });
    const { messages } = await queues(cjsClient).receive({ channel: 'consumer.bundle', maxItems: 1, waitTimeoutSeconds: 1 });
    if (messages.length !== 1 || messages[0].text() !== 'job 1') throw new Error('received ' + JSON.stringify(messages.map((m) => m.text())));
  } finally {
    await Promise.all([esmClient.close(), cjsClient.close()]);
  }
  console.log('ok bundle');
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
`,
};

/** A file of an SDK package's CommonJS or Node build: a bundle that holds one has two copies. */
export const SECOND_COPY = /@kubemq[\\/][^\\/]+[\\/]dist[\\/](?:cjs|node)[\\/]/;
