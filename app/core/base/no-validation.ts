import type { JsonSchemaValidator, jsonSchemaValidator } from '@modelcontextprotocol/server';

/**
 * The one JSON Schema "validator" every SDK `Server` and `Client` in the hub gets: it accepts
 * everything. The hub is a relay: a provider's tool output is the provider's business and
 * reaches the AI client unchanged, and tool arguments are checked by the provider that declared
 * the schema. Without this the SDK would compile an Ajv validator per client (most of an idle
 * provider connection's memory) and could reject or reshape what it relays.
 */
export const NO_VALIDATION: jsonSchemaValidator = {
  getValidator<T>(): JsonSchemaValidator<T> {
    return (input: unknown) => ({ valid: true, data: input as T, errorMessage: undefined });
  },
};
