import { eventRegistry, type TopicRole } from '@caravan/contract';

export type Route = { role: TopicRole; key: string | null };

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** The topic of an event type, or the fallback when the type is not one the pipeline knows. */
export function roleOfType(type: unknown, fallbackRole: TopicRole): TopicRole {
  return (typeof type === 'string' && eventRegistry.get(type)?.topic) || fallbackRole;
}

/**
 * Where an envelope goes: its type's topic, keyed like producers key it (bookingId, port,
 * campaign). Unknown or unreadable types go to the fallback topic without a key, and so does the
 * key whenever data lacks the key field (the pipeline will reject the record anyway).
 */
export function routeOf(envelope: unknown, fallbackRole: TopicRole): Route {
  const type = isObject(envelope) ? envelope.type : undefined;
  const definition = typeof type === 'string' ? eventRegistry.get(type) : undefined;
  if (!definition || !isObject(envelope)) return { role: fallbackRole, key: null };
  const data = envelope.data;
  const keyValue = isObject(data) ? data[definition.keyField] : undefined;
  const hasKey = typeof keyValue === 'string' || typeof keyValue === 'number' || typeof keyValue === 'boolean';
  return {
    role: definition.topic,
    key: hasKey ? eventRegistry.keyOf(definition.type, data as Record<string, unknown>) : null,
  };
}
