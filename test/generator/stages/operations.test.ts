// model → auth → select on the fixture specs: what each operation is, which key it is sent with, what is left out.
import { beforeAll, describe, expect, it } from 'vitest';
import { routeAuth } from '../../../generator/stages/auth.js';
import { SpecError } from '../../../generator/errors.js';
import { selectOperations } from '../../../generator/stages/select.js';
import { fixtureOverrides, loadFixture, overridesOf, type Fixture } from '../../helpers/fixtures.js';

describe('model', () => {
  let twins: Fixture;
  let multipart: Fixture;
  beforeAll(async () => {
    [twins, multipart] = await Promise.all([loadFixture('beta-twins'), loadFixture('multipart')]);
  });

  it.each([
    ['listMessages', 'GET', '/messages', {}, ['query:after', 'query:limit']],
    ['createMessage', 'POST', '/messages', {}, []],
    ['beta_createMessage', 'POST', '/messages', { beta: 'true' }, []],
    ['getMessage', 'GET', '/messages/{message_id}', {}, ['path:message_id']],
  ])('%s: %s %s', (id, verb, path, fixedQuery, params) => {
    const op = twins.op(id);
    expect([op.verb, op.path, op.fixedQuery]).toEqual([verb, path, fixedQuery]);
    expect(op.params.map((p) => `${p.in}:${p.name}`)).toEqual(params);
  });

  it.each([
    ['createFile', 'multipart/form-data', ['application/json', 'multipart/form-data'], ['application/json']],
    ['downloadFile', undefined, undefined, ['application/octet-stream']],
    ['uploadRaw', 'application/octet-stream', ['application/octet-stream'], []],
  ])('%s: body %s, success %j', (id, contentType, alternatives, success) => {
    const op = multipart.op(id);
    expect(op.body?.contentType).toBe(contentType);
    expect(op.body?.alternatives).toEqual(alternatives);
    expect(op.success.mediaTypes).toEqual(success);
  });
});

describe('auth', () => {
  let clash: Fixture;
  beforeAll(async () => {
    clash = await loadFixture('name-clash');
  });

  it.each([
    ['listProjects', 'project', 'global security is the project key'],
    ['listOrgProjects', 'admin', 'under an admin path, whatever its security says'],
    ['getAudit', 'admin', 'forced by operations.getAudit.admin'],
    ['getKeys', 'project', 'prose only: a warning, not a guess'],
    ['getAdminOnly', 'admin', 'its own security names the admin scheme'],
  ])('%s → %s (%s)', (id, auth) => {
    const { ops } = routeAuth(clash.ops, fixtureOverrides());
    expect(ops.find((o) => o.operationId === id)?.auth).toBe(auth);
  });

  it('warns about prose that asks for an admin key no rule gives', () => {
    const { warnings } = routeAuth(clash.ops, fixtureOverrides());
    expect(warnings).toEqual([
      expect.stringMatching(/^getKeys \(GET \/keys\): the spec's text says it needs an admin API key/),
    ]);
  });

  it('with no rules, only the spec decides', () => {
    const { ops } = routeAuth(clash.ops, overridesOf(''));
    expect(ops.filter((o) => o.auth === 'admin').map((o) => o.operationId)).toEqual([]);
    const schemesOnly = routeAuth(clash.ops, overridesOf('auth: { adminSchemes: [AdminApiKeyAuth] }'));
    expect(schemesOnly.ops.filter((o) => o.auth === 'admin').map((o) => o.operationId)).toEqual(['getAdminOnly']);
  });
});

describe('select', () => {
  it.each([
    ['listed in exclude', 'exclude: { uploadRaw: not a tool }', 'not a tool'],
    ['a body no tool can send', '', 'request body is application/octet-stream only; tools send JSON or multipart'],
  ])('sets aside an operation %s', async (_label, yaml, reason) => {
    const { ops } = await loadFixture('multipart');
    const ov = overridesOf(yaml);
    const { kept, excluded } = selectOperations(routeAuth(ops, ov).ops, ov.exclude);
    expect(kept.map((o) => o.operationId)).toEqual(['createFile', 'downloadFile']);
    expect(excluded).toEqual([{ operationId: 'uploadRaw', verb: 'POST', path: '/raw', reason }]);
  });

  it('refuses to make a catalog of nothing', async () => {
    const { ops } = await loadFixture('multipart');
    const ov = overridesOf('exclude: { createFile: x, downloadFile: y }');
    const run = () => selectOperations(routeAuth(ops, ov).ops, ov.exclude);
    expect(run).toThrow(SpecError);
    expect(run).toThrow('the spec yields no tools (3 operations, 3 excluded); nothing was written');
  });
});
