// The `all` exposure: the toolkit's own tools, one per operation, as they are.

import { undefined as undefinedSchema } from 'zod';
import { defineExposure } from './types.js';

export const allExposure = defineExposure({
  name: 'all',
  summary: 'all tools',
  optionsSchema: undefinedSchema(),
  create: (kit) => kit,
  delegates: [],
  direct: true,
});
