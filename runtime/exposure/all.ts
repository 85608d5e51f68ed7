// The `all` exposure: the toolkit's own tools, one per operation, as they are.

import { z } from 'zod';
import { defineExposure } from './types.js';

export const allExposure = defineExposure({
  name: 'all',
  summary: 'all tools',
  optionsSchema: z.undefined(),
  create: (kit) => kit,
  delegates: [],
  direct: true,
});
