// The instants Parley accepts: those that JavaScript, the JSON it writes and PostgreSQL's
// timestamptz can all hold and print back the same way, from 0001-01-01 to 9999-12-31 UTC.
// RFC 3339 allows year 0000 and leap seconds (23:59:60); PostgreSQL refuses the first, JavaScript
// the second, and an offset can push a 9999 date into year 10000. Each of those used to reach
// the database and answer 500.
const MIN_MS = new Date("0001-01-01T00:00:00Z").getTime();
const MAX_MS = new Date("9999-12-31T23:59:59.999Z").getTime();

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

export function isStorableDate(date: Date): boolean {
  const ms = date.getTime();
  return Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS;
}

// The "date-time" format of every request schema (registered with Ajv in server/http/app.ts).
export function isStorableDateTime(text: string): boolean {
  const m = RFC3339.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const offsetHours = m[8] === undefined ? 0 : Number(m[8]);
  const offsetMinutes = m[9] === undefined ? 0 : Number(m[9]);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if (hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return false;
  return isStorableDate(new Date(text));
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
const daysIn = (year: number, month: number) => (month === 2 && isLeap(year) ? 29 : DAYS[month - 1]);
