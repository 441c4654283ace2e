export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Opening ranges per weekday as `HH:MM` in the tenant's time zone; `close` is exclusive. */
export type OpeningHours = Partial<Record<Weekday, { open: string; close: string }[]>>;

/** The weekday and `HH:MM` of an instant in a time zone. */
export function localTime(at: Date, timeZone: string): { weekday: Weekday; time: string } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const part = (type: string) => parts.find((entry) => entry.type === type)?.value ?? '';
  return { weekday: part('weekday').toLowerCase() as Weekday, time: `${part('hour')}:${part('minute')}` };
}

/** Returns whether the business is open at an instant; with no hours set at all, it always is. */
export function isOpenAt(hours: OpeningHours, timeZone: string, at: Date): boolean {
  if (Object.keys(hours).length === 0) return true;
  const { weekday, time } = localTime(at, timeZone);
  return (hours[weekday] ?? []).some((range) => range.open <= time && time < range.close);
}
