import { roleOfType, routeOf } from './routing';

describe('routeOf', () => {
  it.each([
    ['BookingCreated', { bookingId: 'b-1', market: 'CN' }, { role: 'bookings', key: 'b-1' }],
    ['BookingCancelled', { bookingId: 'b-1' }, { role: 'bookings', key: 'b-1' }],
    ['ArrivalRecorded', { port: 'ala-airport', travelers: 3 }, { role: 'arrivals', key: 'ala-airport' }],
    ['MediaViewsReported', { campaign: 'visit-kz', views: 5 }, { role: 'media', key: 'visit-kz' }],
  ])('sends %s to its topic keyed by its key field', (type, data, route) => {
    expect(routeOf({ type, data }, 'media')).toEqual(route);
  });

  it('keeps the topic but drops the key when data lacks the key field or holds no scalar there', () => {
    expect(routeOf({ type: 'ArrivalRecorded', data: { travelers: 3 } }, 'media')).toEqual({
      role: 'arrivals',
      key: null,
    });
    expect(routeOf({ type: 'ArrivalRecorded', data: { port: null } }, 'media')).toEqual({
      role: 'arrivals',
      key: null,
    });
    expect(routeOf({ type: 'ArrivalRecorded', data: { port: { a: 1 } } }, 'media')).toEqual({
      role: 'arrivals',
      key: null,
    });
    expect(routeOf({ type: 'ArrivalRecorded', data: 'x' }, 'media')).toEqual({ role: 'arrivals', key: null });
    expect(routeOf({ type: 'ArrivalRecorded', data: { port: 7 } }, 'media')).toEqual({ role: 'arrivals', key: '7' });
  });

  it.each([
    ['an unknown type', { type: 'HotelStay', data: { port: 'x' } }],
    ['a missing type', { data: { port: 'x' } }],
    ['a type that is not a string', { type: 3, data: {} }],
    ['an inherited property name', { type: 'constructor', data: {} }],
    ['no object at all', undefined],
    ['an array', [{ type: 'ArrivalRecorded' }]],
  ])('sends %s to the fallback topic without a key', (_, envelope) => {
    expect(routeOf(envelope, 'bookings')).toEqual({ role: 'bookings', key: null });
  });

  it('gives the topic of a type name', () => {
    expect(roleOfType('MediaViewsReported', 'arrivals')).toBe('media');
    expect(roleOfType('Nope', 'arrivals')).toBe('arrivals');
    expect(roleOfType(undefined, 'bookings')).toBe('bookings');
  });
});
