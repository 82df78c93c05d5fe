import { requestDeadlineMs } from './request-deadline.js';

describe('requestDeadlineMs', () => {
  it('gives the gRPC call a deadline past the request timeout: +10 %, at least 1 s', () => {
    expect(requestDeadlineMs(1)).toBe(1001);
    expect(requestDeadlineMs(1500)).toBe(2500);
    expect(requestDeadlineMs(60_000)).toBe(66_000);
  });
});
