import { directionRegex, recursiveMessages, wireDirections } from './directions.mjs';

const message = (name, fields = [], nestedType = []) => ({
  name,
  field: fields.map(([fieldName, typeName]) => ({ name: fieldName, type: typeName ? 'TYPE_MESSAGE' : 'TYPE_STRING', ...(typeName && { typeName }) })),
  nestedType,
});

const set = {
  file: [
    {
      package: 'kubemq',
      messageType: [
        message('Event', [['Channel'], ['Tags', '.kubemq.Event.TagsEntry']], [message('TagsEntry', [['key'], ['value']])]),
        message('Result', [['Error']]),
        message('Batch', [['Messages', '.kubemq.Item']]),
        message('Item', [['Policy', '.kubemq.Policy']]),
        message('Policy'),
        message('Unused'),
      ],
      service: [
        {
          method: [
            { inputType: '.kubemq.Event', outputType: '.kubemq.Result' },
            { inputType: '.kubemq.Batch', outputType: '.kubemq.Batch' },
          ],
        },
      ],
    },
  ],
};

describe('wireDirections', () => {
  it('encodes what methods take and decodes what they return, with every nested message', () => {
    expect(wireDirections(set)).toEqual({
      encode: ['kubemq.Batch', 'kubemq.Event', 'kubemq.Event.TagsEntry', 'kubemq.Item', 'kubemq.Policy'],
      decode: ['kubemq.Batch', 'kubemq.Item', 'kubemq.Policy', 'kubemq.Result'],
    });
  });

  it('fails on a method type the set does not declare, and on a set without methods', () => {
    const broken = { file: [{ ...set.file[0], service: [{ method: [{ inputType: '.kubemq.Missing', outputType: '.kubemq.Result' }] }] }] };
    expect(() => wireDirections(broken)).toThrow('.kubemq.Missing');
    expect(() => wireDirections({ file: [{ ...set.file[0], service: [] }] })).toThrow('no service methods');
  });
});

describe('directionRegex', () => {
  it('matches exactly the names given', () => {
    const re = new RegExp(directionRegex(['kubemq.Event', 'kubemq.Event.TagsEntry']));
    expect(re.test('kubemq.Event')).toBe(true);
    expect(re.test('kubemq.Event.TagsEntry')).toBe(true);
    expect(re.test('kubemq.EventReceive')).toBe(false);
    expect(re.test('kubemqXEvent')).toBe(false);
    expect(() => directionRegex([])).toThrow();
  });
});

describe('recursiveMessages', () => {
  it('finds none in a schema without cycles, nested map entries included', () => {
    expect(recursiveMessages(set)).toEqual([]);
  });

  it('finds messages that contain themselves, directly or through others', () => {
    const cyclic = {
      file: [
        {
          package: 'p',
          messageType: [
            message('Tree', [['Children', '.p.Tree']]),
            message('A', [['B', '.p.B']]),
            message('B', [['A', '.p.A']]),
            message('Leaf', [['Tree', '.p.Tree']]),
          ],
        },
      ],
    };
    expect(recursiveMessages(cyclic)).toEqual(['p.A', 'p.B', 'p.Tree']);
  });
});
