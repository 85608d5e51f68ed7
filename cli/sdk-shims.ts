// The bin's `@modelcontextprotocol/server/_shims` (the bundle script aliases it here). The SDK's Node shim imports
// its ajv-based JSON Schema validator eagerly, and that module evaluates three bundled ajv builds and ajv-formats at
// import: a large part of a stdio server's start-up, paid before the first `tools/list`. A server of this bin never
// needs it there: the low-level Server validates a JSON Schema only for elicitation answers (never requested here),
// and registration passes its own validator. So the provider is the SDK's own, loaded on first use.

import { createRequire } from 'node:module';
import process from 'node:process';
import type { JsonSchemaType, JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/server';

type Provider = new () => jsonSchemaValidator;

export class DefaultJsonSchemaValidator implements jsonSchemaValidator {
  private inner: jsonSchemaValidator | undefined;

  getValidator<T>(schema: JsonSchemaType): JsonSchemaValidator<T> {
    if (!this.inner) {
      // Kept out of the bundle (--external): resolved from the installed SDK, which the package depends on.
      const load = createRequire(import.meta.url);
      const { AjvJsonSchemaValidator } = load('@modelcontextprotocol/server/validators/ajv') as {
        AjvJsonSchemaValidator: Provider;
      };
      this.inner = new AjvJsonSchemaValidator();
    }
    return this.inner.getValidator<T>(schema);
  }
}

export { process };
