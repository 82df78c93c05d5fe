import { Request_RequestType, Subscribe_SubscribeType } from '@kubemq/core/internal';

/** The two request patterns share one wire path; this is what differs between them. */
export interface RequestKind {
  readonly name: 'commands' | 'queries';
  /** `Request.RequestTypeData`. */
  readonly requestType: number;
  /** `Subscribe.SubscribeTypeData`. */
  readonly subscribeType: number;
}

export const COMMANDS: RequestKind = {
  name: 'commands',
  requestType: Request_RequestType.Command,
  subscribeType: Subscribe_SubscribeType.Commands,
};

export const QUERIES: RequestKind = {
  name: 'queries',
  requestType: Request_RequestType.Query,
  subscribeType: Subscribe_SubscribeType.Queries,
};
