import { goQuote, stanChannelCaseRefusal } from './errors.js';

describe('stan texts', () => {
  it("quotes names as Go's %q does", () => {
    expect(goQuote('_QUEUES_.Orders')).toBe('"_QUEUES_.Orders"');
    expect(goQuote('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(goQuote('é ü')).toBe('"é ü"');
    expect(goQuote('a\tb\u0000\u007f\u00a0')).toBe('"a\\tb\\x00\\x7f\\u00a0"');
  });

  it('words the case refusal as newer stan does ("alreay" sic)', () => {
    expect(stanChannelCaseRefusal('_EVENTS_STORE_.Orders', '_EVENTS_STORE_.orders')).toBe(
      'rejecting channel "_EVENTS_STORE_.Orders" because channel "_EVENTS_STORE_.orders" alreay exists (different cases not allowed)',
    );
  });
});
