// ONTAP reports SnapMirror `lag_time` as an ISO 8601 duration (`PT1H2M3S`, `P1DT5M`).

const ISO_DURATION =
  /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Seconds in an ISO 8601 duration (days, hours, minutes, seconds); undefined when it is not one. */
export function durationSeconds(duration: string | undefined): number | undefined {
  const m = duration === undefined ? null : ISO_DURATION.exec(duration);
  if (!m || duration === 'P' || duration === 'PT') return undefined;
  const [d, h, min, s] = m.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
  return d * 86_400 + h * 3_600 + min * 60 + s;
}
