// Upload pre-checks: fine-tune (chat, preference, reinforcement) and batch JSONL, line by line, and through the
// toolkit: refused with line numbers and nothing uploaded, capped, and bypassed with skip_validation.

import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OpenAiToolkit } from '../../runtime/index.js';
import { checkBatchFile, checkFineTuneFile, MAX_LISTED } from '../../runtime/precheck.js';
import { json, parseMultipart, textOf, generatedKit, useCaptureServer } from './helpers.js';

const jsonl = (lines: unknown[]) => lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n');
const chat = (...messages: unknown[]) => ({ messages });
const u = (content: string) => ({ role: 'user', content });
const a = (content: string | null, extra: object = {}) => ({ role: 'assistant', content, ...extra });

describe('fine-tune files', () => {
  it('accepts chat examples with system prompts, tool calls answered by tool messages, weights and tools', () => {
    const call = { id: 'c1', type: 'function', function: { name: 'lookup', arguments: '{"id":1}' } };
    const file = jsonl([
      chat({ role: 'system', content: 'Be brief.' }, u('Hi'), a('Hello.')),
      {
        ...chat(
          u('Find order 1'),
          a(null, { tool_calls: [call] }),
          { role: 'tool', tool_call_id: 'c1', content: '{}' },
          a('Found it.', { weight: 1 }),
        ),
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      },
      chat(u('Hi'), a('Nope', { weight: 0 }), u('Again'), a('Hello.')),
      '',
    ]);
    expect(checkFineTuneFile(file)).toEqual([]);
  });

  it('reports each bad line by number: JSON, roles, final assistant, tool-call shapes, weights', () => {
    const file = jsonl([
      chat(u('ok'), a('ok')),
      '{"messages": [',
      chat(u('no answer')),
      chat({ role: 'robot', content: 'x' }, a('y')),
      chat(u('q'), a(null, { tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f' } }] }), a('z')),
      chat(u('q'), { role: 'tool', tool_call_id: 'c9', content: 'r' }, a('z')),
      chat(u('q'), a('z', { weight: 2 })),
      { prompt: 'legacy', completion: 'format' },
    ]);
    const issues = checkFineTuneFile(file);
    const byLine = (n: number) =>
      issues
        .filter((i) => i.line === n)
        .map((i) => i.message)
        .join(' | ');
    expect(issues.some((i) => i.line === 1)).toBe(false);
    expect(byLine(2)).toMatch(/not valid JSON/);
    expect(byLine(3)).toMatch(/last message must be the assistant's answer \(got role "user"\)/);
    expect(byLine(4)).toMatch(/messages\[0\]\.role/);
    expect(byLine(5)).toMatch(/messages\[1\]\.tool_calls\[0\]\.function\.arguments/);
    expect(byLine(6)).toMatch(/tool_call_id: "c9" answers no earlier assistant tool call/);
    expect(byLine(7)).toMatch(/messages\[1\]\.weight/);
    expect(byLine(8)).toMatch(/messages/);
  });

  it('accepts prompt/completion files (babbage-002, davinci-002) and the legacy function-calling format', () => {
    const pc = { prompt: 'Q: 2+2?\nA:', completion: ' 4' };
    expect(checkFineTuneFile(jsonl([pc, pc]))).toEqual([]);
    const issues = checkFineTuneFile(jsonl([pc, { prompt: 'x' }, chat(u('q'), a('a'))]));
    expect([...new Set(issues.map((i) => i.line))]).toEqual([2, 3]);
    expect(issues.find((i) => i.line === 3)!.message).toMatch(/first example uses the prompt\/completion format/);
    const legacy = {
      messages: [
        u('Weather in Paris?'),
        { role: 'assistant', content: null, function_call: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { role: 'function', name: 'get_weather', content: '21C' },
        a('It is 21C.'),
      ],
      functions: [{ name: 'get_weather', parameters: { type: 'object' } }],
    };
    expect(checkFineTuneFile(jsonl([legacy]))).toEqual([]);
  });

  it('checks preference (DPO) files in their own format', () => {
    const ok = {
      input: { messages: [u('Summarize')] },
      preferred_output: [a('Short.')],
      non_preferred_output: [a('Long...')],
    };
    expect(checkFineTuneFile(jsonl([ok, ok]))).toEqual([]);
    const issues = checkFineTuneFile(jsonl([ok, { ...ok, non_preferred_output: [u('x')] }, chat(u('q'), a('a'))]));
    expect(issues.map((i) => i.line)).toEqual([2, 3, 3, 3]);
    expect(issues.find((i) => i.line === 2)!.message).toMatch(/non_preferred_output\[0\]\.role/);
    expect(issues.find((i) => i.line === 3)!.message).toMatch(/first example uses the preference format/);
  });

  it('takes a file whose every example ends with the user and carries grader fields as reinforcement data', () => {
    const rft = jsonl([
      { ...chat({ role: 'developer', content: 'Answer with a number.' }, u('2+2?')), reference_answer: '4' },
      { ...chat(u('3+3?')), reference_answer: '6' },
    ]);
    expect(checkFineTuneFile(rft)).toEqual([]);
    // Without grader fields such lines are chat examples missing their answer.
    expect(checkFineTuneFile(jsonl([chat(u('2+2?')), chat(u('3+3?'))])).map((i) => i.line)).toEqual([1, 2]);
  });

  it('refuses an empty file', () => {
    expect(checkFineTuneFile('\n\n')).toEqual([{ line: 1, message: 'the file has no examples' }]);
  });
});

describe('batch files', () => {
  const req = (id: string, url = '/v1/chat/completions', extra: object = {}) => ({
    custom_id: id,
    method: 'POST',
    url,
    body: { model: 'gpt-4o-mini', messages: [] },
    ...extra,
  });

  it('accepts requests with unique custom_ids to one endpoint', () => {
    expect(checkBatchFile(jsonl([req('a'), req('b')]), 100)).toEqual([]);
  });

  it('reports missing fields, duplicate custom_ids and a second endpoint, by line', () => {
    const { body: _b, ...noBody } = req('c');
    const issues = checkBatchFile(
      jsonl([
        req('a'),
        req('a'),
        req('b', '/v1/embeddings'),
        noBody,
        req('d', '/v1/chat/completions', { method: 'GET' }),
        req('e', 'chat'),
      ]),
      100,
    );
    expect(issues).toEqual([
      { line: 2, message: 'custom_id "a" is already used on line 1' },
      {
        line: 3,
        message: 'url /v1/embeddings differs from /v1/chat/completions (line 1); one batch file calls one endpoint',
      },
      { line: 4, message: expect.stringMatching(/^body: /) },
      { line: 5, message: expect.stringMatching(/^method: /) },
      { line: 6, message: 'url: must be an API path such as /v1/chat/completions' },
    ]);
  });

  it('enforces the Batch API size and request-count limits for the whole file', () => {
    const lines = Array.from({ length: 50_001 }, (_, i) => JSON.stringify(req(`r${i}`))).join('\n');
    expect(
      checkBatchFile(lines, 300 * 1024 * 1024)
        .filter((i) => i.line === 0)
        .map((i) => i.message),
    ).toEqual([
      '50001 requests; a batch file holds at most 50000',
      `${300 * 1024 * 1024} bytes; a batch file is at most ${200 * 1024 * 1024} bytes (200 MB)`,
    ]);
  });
});

describe('create_a_open_ai_file with pre-checks', () => {
  const srv = useCaptureServer();
  let kit: OpenAiToolkit;
  beforeAll(() => {
    kit = generatedKit(srv.baseUrl);
  });
  beforeEach(() => {
    srv.respond((_q, res) => json(res, 200, { id: 'file-1', object: 'file', purpose: 'fine-tune' }));
  });

  const bad = jsonl(Array.from({ length: 30 }, (_, i) => chat(u(`q${i}`))));

  it('refuses a bad file with capped line numbers and uploads nothing', async () => {
    const r = await kit.callTool('create_a_open_ai_file', {
      file: { content: bad, filename: 'train.jsonl' },
      purpose: 'fine-tune',
    });
    expect(r.isError).toBe(true);
    const text = textOf(r);
    expect(text).toMatch(/fine-tune file has 30 problems on 30 lines; nothing was uploaded/);
    expect(text).toContain('- line 1: the last message');
    expect(text).toContain(`- line ${MAX_LISTED}:`);
    expect(text).not.toContain(`- line ${MAX_LISTED + 1}:`);
    expect(text).toContain('… and 10 more.');
    expect(text).toContain('skip_validation: true');
    expect(r.structuredContent).toMatchObject({ error: { type: 'invalid_file', purpose: 'fine-tune', problems: 30 } });
    expect(srv.requests).toHaveLength(0);
  });

  it('checks base64 content the same way', async () => {
    const r = await kit.callTool('create_a_open_ai_file', {
      file: { content: Buffer.from(bad).toString('base64'), encoding: 'base64', filename: 't.jsonl' },
      purpose: 'fine-tune',
    });
    expect(r.isError).toBe(true);
    expect(srv.requests).toHaveLength(0);
  });

  it('uploads it anyway with skip_validation: true, without sending that flag', async () => {
    const r = await kit.callTool('create_a_open_ai_file', {
      file: { content: bad, filename: 'train.jsonl' },
      purpose: 'fine-tune',
      skip_validation: true,
    });
    expect(r.isError, textOf(r)).toBeFalsy();
    const form = await parseMultipart(srv.requests[0]!);
    expect([...form.keys()].sort()).toEqual(['file', 'purpose']);
    expect(await (form.get('file') as File).text()).toBe(bad);
  });

  it('leaves files of other purposes alone', async () => {
    const r = await kit.callTool('create_a_open_ai_file', {
      file: { content: 'not jsonl at all', filename: 'notes.txt' },
      purpose: 'assistants',
    });
    expect(r.isError, textOf(r)).toBeFalsy();
    expect(srv.requests).toHaveLength(1);
  });
});
