const formatters = new Map<string, Intl.DateTimeFormat>();
const eraFormatters = new Map<string, Intl.DateTimeFormat>();
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The calendar date (YYYY-MM-DD) of an instant in an IANA time zone. Never a fixed offset:
 * Asia/Almaty moved from UTC+6 to UTC+5 on 1 March 2024. Years before 1000 are padded to four
 * digits (`0099-06-01`, which PostgreSQL reads as year 99, where `99-06-01` is refused and
 * `1-06-01` read as 2001); years outside 1–9999 are written in ISO 8601's expanded form
 * (`+012345-06-01`, `-000001-06-01` for 2 BC), which no `date` column takes.
 */
export function localDate(instant: Date | number, timeZone: string): string {
  let format = formatters.get(timeZone);
  if (!format) {
    // en-CA formats dates as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, format);
  }
  const text = format.format(instant);
  return ISO_DATE.test(text) ? text : unusualYear(instant, timeZone);
}

function unusualYear(instant: Date | number, timeZone: string): string {
  let format = eraFormatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      era: 'short',
    });
    eraFormatters.set(timeZone, format);
  }
  const part = (type: Intl.DateTimeFormatPartTypes): string =>
    format.formatToParts(instant).find((p) => p.type === type)?.value ?? '';
  const yearOfEra = Number(part('year'));
  // Astronomical numbering, as ISO 8601: 1 BC is year 0, 2 BC year -1.
  const year = part('era') === 'BC' ? 1 - yearOfEra : yearOfEra;
  const yearText =
    year >= 0 && year <= 9999
      ? String(year).padStart(4, '0')
      : `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
  return `${yearText}-${part('month')}-${part('day')}`;
}
