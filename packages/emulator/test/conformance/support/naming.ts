import { uniqueChannel, uniqueClientId } from '@kubemq/testing/jest';

/** A unique channel named after the section under test. */
export const ch = (prefix: string) => uniqueChannel(`conf.${prefix}`);
/** A unique ClientID (valid for events-store durables). */
export const cid = (prefix = 'conf') => uniqueClientId(prefix);
