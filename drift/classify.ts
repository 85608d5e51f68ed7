// Judges each change from the point of view of an agent that already uses the old catalog: its prompts, saved
// tool calls and approval policies were written against the old names, arguments and access levels.
//
// The rule: a change is BREAKING when a call that was valid before can now fail or do something the agent did
// not ask for — the tool it names is gone or renamed, an argument it sends is gone or has a narrower type or fewer
// allowed values, an argument it never sent is now required, or the result comes back in another form. A change
// that only widens what is accepted (new optional argument, new enum value, new tool, type widened) is
// non-breaking. Changes the runtime absorbs (endpoint moved, verb or content type changed, operationId renamed)
// are non-breaking too: the agent never sees the wire.
//
// SECURITY-RELEVANT is separate: a tool that can now write (read → write), needs an admin key, or is now marked
// destructive may slip past a policy that auto-approves read-only or project-scoped tools, even when no call breaks.
import type { Change, RawChange } from './types.js';

interface Verdict {
  breaking: boolean;
  security?: boolean;
  reason: string;
}

const ADMIN = /^admin$/i;

const rules: { [K in RawChange['kind']]: (c: RawChange) => Verdict } = {
  'tool-added': () => ({ breaking: false, reason: 'a new tool only adds a capability' }),
  'tool-removed': () => ({ breaking: true, reason: 'calls to the tool fail' }),
  'tool-renamed': () => ({ breaking: true, reason: 'calls by the old name fail' }),
  'operation-moved': () => ({
    breaking: false,
    reason: 'same tool and arguments; the runtime follows the new endpoint',
  }),
  'operation-id-changed': () => ({ breaking: false, reason: 'operationId is not part of the tool contract' }),
  'operation-replaced': () => ({ breaking: true, reason: 'the same name now calls a different operation' }),
  'param-added': (c) =>
    c.detail?.required
      ? { breaking: true, reason: 'calls without the new required argument fail' }
      : { breaking: false, reason: 'a new optional argument can be left out' },
  'param-removed': () => ({ breaking: true, reason: 'calls that send the argument are rejected' }),
  'param-required': () => ({ breaking: true, reason: 'calls that omit the argument fail' }),
  'param-optional': () => ({ breaking: false, reason: 'more calls are accepted' }),
  'param-type': (c) =>
    c.detail?.widened
      ? { breaking: false, reason: 'the new type accepts every value the old one did' }
      : { breaking: true, reason: 'values of the old type may be rejected' },
  'enum-added': () => ({ breaking: false, reason: 'more values are accepted' }),
  'enum-removed': (c) =>
    c.detail?.open
      ? { breaking: false, reason: 'the list is open (any string is still accepted)' }
      : { breaking: true, reason: 'calls that send a removed value are rejected' },
  'enum-constrained': (c) =>
    c.detail?.open
      ? { breaking: false, reason: 'the new list is open (any string is still accepted)' }
      : { breaking: true, reason: 'values outside the new list are rejected' },
  'enum-relaxed': () => ({ breaking: false, reason: 'more values are accepted' }),
  'default-changed': () => ({
    breaking: false,
    reason: 'every call stays valid, but calls that omit the argument now behave differently',
  }),
  'access-changed': (c) =>
    c.to === 'write'
      ? { breaking: true, security: true, reason: 'a tool an agent may call freely as a read now changes state' }
      : { breaking: false, reason: 'the tool no longer changes state' },
  'auth-changed': (c) =>
    c.to === 'admin'
      ? {
          breaking: true,
          security: true,
          reason: 'the tool now needs an admin key (organization-wide power); project keys fail',
        }
      : { breaking: false, reason: 'a project key now suffices' },
  'destructive-changed': (c) =>
    c.to === true
      ? {
          breaking: false,
          security: true,
          reason: 'calls can now destroy data; approval policies keyed on destructiveHint change',
        }
      : { breaking: false, reason: 'the tool is no longer destructive' },
  'method-changed': () => ({ breaking: false, reason: 'the name and arguments are unchanged' }),
  'tags-changed': (c) => {
    const gained = (c.detail?.gained as string[] | undefined) ?? [];
    return gained.some((t) => ADMIN.test(t))
      ? { breaking: false, security: true, reason: 'the tool gained the admin tag' }
      : { breaking: false, reason: 'tags only group tools' };
  },
  'deprecated-changed': () => ({ breaking: false, reason: 'deprecation is a warning; calls still work' }),
  'response-changed': () => ({ breaking: true, reason: 'the agent gets its result in another form' }),
  'content-type-changed': () => ({
    breaking: false,
    reason: 'the runtime encodes the body; the arguments are what the agent sees',
  }),
  'pagination-changed': () => ({ breaking: false, reason: 'the runtime pages; arguments are reported separately' }),
  'title-changed': () => ({ breaking: false, reason: 'text only' }),
  'description-changed': () => ({ breaking: false, reason: 'text only (review: it is what the model reads)' }),
  'param-description-changed': () => ({ breaking: false, reason: 'text only' }),
  'schema-changed': () => ({
    breaking: false,
    reason: 'not classified: the change is below the top level of the input schema; review it',
  }),
};

export function classifyChange(change: RawChange): Change {
  const v = rules[change.kind](change);
  return { ...change, breaking: v.breaking, security: v.security ?? false, reason: v.reason };
}

export const classifyAll = (changes: RawChange[]): Change[] => changes.map(classifyChange);
