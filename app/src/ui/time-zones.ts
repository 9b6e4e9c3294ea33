// The IANA time zones the browser knows, for pickers; a saved zone it lacks is kept as an option.
const ZONES: string[] =
  typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["UTC"];

export function timeZoneOptions(current?: string | null): { value: string; label: string }[] {
  const zones = current && !ZONES.includes(current) ? [current, ...ZONES] : ZONES;
  return zones.map((zone) => ({ value: zone, label: zone.replaceAll("_", " ") }));
}

// "14:05" in the given zone, for "their local time" beside a customer.
export function localTime(timeZone: string, now = new Date()): string | null {
  try {
    return new Intl.DateTimeFormat(undefined, { timeStyle: "short", timeZone }).format(now);
  } catch {
    return null;
  }
}
